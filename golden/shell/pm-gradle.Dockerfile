FROM gradle:8-jdk21
RUN gradle dependencies --no-daemon && ./gradlew bootJar -x test --no-daemon && rm -rf ~/.gradle/caches
