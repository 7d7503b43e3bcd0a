# syntax=docker/dockerfile:1
# The controller image; the Helm chart runs it (values image.repository and image.tag).
#   docker build -t ghcr.io/agent-stack-camel/agent-stack-camel:0.1.0 .

# ---- build: the production jar, target/agent-stack-camel.jar (the build's other jar, -demo, carries the demo's
# fakes and stays out of the image). routes/ and kamelets/ travel inside it (pom.xml resources), so the image carries
# the flow and the edges without copies on disk that the controller would not read.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY . .
# BuildKit keeps the Maven repository between builds; tests run in CI (mvn -B verify), not here.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -Dmaven.test.skip=true

# ---- run: a JRE and the jar, as a fixed non-root user (runAsNonRoot can only verify a numeric one).
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="agent-stack-camel" \
      org.opencontainers.image.description="Buildkite's Agent Stack for Kubernetes controller as an Apache Camel integration"
RUN groupadd --system --gid 10001 agent-stack-camel \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin agent-stack-camel
COPY --from=build /build/target/agent-stack-camel.jar /opt/agent-stack-camel/agent-stack-camel.jar
USER 10001:10001
# The heap follows the container's memory limit; Vert.x caches under /tmp (the chart mounts a writable one there,
# the root filesystem is read-only). The chart sets JAVA_TOOL_OPTIONS itself, from its javaOptions value.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Dvertx.cacheDirBase=/tmp/vertx-cache"
# Health checks and Prometheus metrics (management-port).
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/agent-stack-camel/agent-stack-camel.jar"]
CMD ["run"]
