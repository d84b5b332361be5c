FROM maven:3.9-eclipse-temurin-21
COPY pom.xml .
RUN mvn -B dependency:go-offline
RUN mvn -B -DskipTests clean package && ./mvnw -q -f app/pom.xml verify && rm -rf /root/.m2/repository
