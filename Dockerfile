# One image for the edge router and the domain gateways (docs/operations.md#containers-and-kubernetes).
#
#   docker build -t concierge:0.1.0 .
#   docker run --rm -p 8080:8080 -v $PWD/compose:/config:ro concierge:0.1.0 \
#       /opt/concierge/edge-router/edge-router.jar run /config/edge.yaml
#
# The default command runs a gateway on /config/gateway.yaml. Untested here (no Docker engine on the
# build machine); deployment-tests' ContainerFilesTest checks what it copies and runs by reading it.

# --- build: the jars, with Maven, from this checkout -------------------------------------------
FROM maven:3.9.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests -pl microgateway,edge-router,consul -am

# --- run: a JRE and the jars, as a non-root user ----------------------------------------------
FROM eclipse-temurin:25-jre-noble
RUN groupadd --system --gid 10001 concierge \
    && useradd --system --uid 10001 --gid concierge --home-dir /opt/concierge --shell /usr/sbin/nologin concierge
# Each jar with its libs/ directory beside it (the manifests' Class-Path; consul.jar is in the
# gateway's libs). The manifests also grant Hazelcast's module access (Add-Opens).
COPY --from=build /src/microgateway/target/microgateway.jar /opt/concierge/microgateway/microgateway.jar
COPY --from=build /src/microgateway/target/libs/ /opt/concierge/microgateway/libs/
COPY --from=build /src/edge-router/target/edge-router.jar /opt/concierge/edge-router/edge-router.jar
COPY --from=build /src/edge-router/target/libs/ /opt/concierge/edge-router/libs/
USER 10001:10001
WORKDIR /opt/concierge
# 8080/8100 traffic, 9080/9100 admin (probes, /metrics), 5701 Hazelcast.
EXPOSE 8080 8100 9080 9100 5701
ENV LOG_FORMAT=json
# --sun-misc-unsafe-memory-access=allow: Hazelcast uses sun.misc.Unsafe, which JDK 24+ warns about.
# The heap follows the container's memory limit.
ENTRYPOINT ["java", "--sun-misc-unsafe-memory-access=allow", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true", "-jar"]
CMD ["/opt/concierge/microgateway/microgateway.jar", "run", "/config/gateway.yaml"]
