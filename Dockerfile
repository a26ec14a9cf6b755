# Portal.Web (with the backend and the agents' gRPC service) and Portal.Agent, for docker-compose and Kubernetes.
# The embedded run (./run) does not use it.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Portal.Web -c Release -o /app --nologo \
 && dotnet publish src/Portal.Agent -c Release -r linux-x64 -o /agent --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS portal
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080 5081
ENTRYPOINT ["dotnet", "Portal.Web.dll"]

# The node agent: one self-contained file; iproute2 for the Linux dataplane.
FROM debian:bookworm-slim AS agent
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /agent/Portal.Agent /usr/local/bin/Portal.Agent
ENTRYPOINT ["/usr/local/bin/Portal.Agent"]
