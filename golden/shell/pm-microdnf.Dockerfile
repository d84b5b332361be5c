FROM registry.access.redhat.com/ubi9/ubi-minimal
RUN microdnf install -y --nodocs --setopt=install_weak_deps=0 java-17-openjdk-headless && microdnf clean all
