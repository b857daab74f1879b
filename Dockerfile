# syntax=docker/dockerfile:1
#
# The gateway as a static binary on a distroless base, running as a non-root
# user, with no credentials and no example store in the image. Its config is
# deploy/Caddyfile, which takes everything the operator must decide from the
# environment and refuses to start without it (README, "Deployment"):
#
#   docker build -t pinpoint-gateway .
#   docker run --rm -p 8080:8080 -p 127.0.0.1:9180:9180 \
#     -v "$PWD/store.json:/etc/gateway/store/store.json:ro" \
#     -e GATEWAY_ACCOUNT=123456789012 \
#     -e GATEWAY_STORE=/etc/gateway/store/store.json \
#     -e GATEWAY_SESSION_KEY="$(head -c 32 /dev/urandom | base64)" \
#     pinpoint-gateway
#
# 8080 is the API, 9180 health (/healthz) and metrics (/metrics). To use a
# Caddyfile of your own, mount it over /etc/gateway/Caddyfile.
# integration/deploy_test.go reads this file: it runs the built binary with the
# config copied below, as the ENTRYPOINT does, and checks the final stage.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so they are cached across source changes.
COPY go.mod go.sum ./
RUN go mod download
# .dockerignore keeps .git, examples/, test data and node_modules out of the context.
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/gateway ./cmd/gateway

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gateway /gateway
COPY deploy/Caddyfile /etc/gateway/Caddyfile
# Caddy keeps its state (certificates, locks) under XDG directories: /tmp, so
# that the root file system can be read-only (mount a volume at /tmp).
ENV XDG_CONFIG_HOME=/tmp/config XDG_DATA_HOME=/tmp/data
# Numeric, so that Kubernetes' runAsNonRoot can verify it (it cannot check a
# user name): 65532 is distroless's nonroot.
USER 65532:65532
EXPOSE 8080 9180
ENTRYPOINT ["/gateway", "run", "--config", "/etc/gateway/Caddyfile", "--adapter", "caddyfile"]
