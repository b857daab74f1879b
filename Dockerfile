# syntax=docker/dockerfile:1
#
# The gateway as a static binary on a distroless base, running as non-root.
#
#   docker build -t pinpoint-gateway .
#   docker run --rm -p 8080:8080 -e GATEWAY_SESSION_KEY="$(head -c 32 /dev/urandom | base64)" pinpoint-gateway
#
# The image's config is caddyfile.example with the site listening on all interfaces of the
# container and its session key read from GATEWAY_SESSION_KEY when the config loads (the
# example's development mode, session_keys ephemeral, is replaced): the container refuses
# to start without it. Mount your own config at /etc/gateway/Caddyfile (and a store) for
# real use.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so they are cached across source changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/gateway ./cmd/gateway
# The example config, reachable from outside the container (bind on all interfaces
# instead of loopback), with the store's absolute path and the session key from the
# environment; the greps fail the build if caddyfile.example ever changes so that the
# edits no longer apply.
RUN mkdir -p /out/etc/gateway \
 && sed -e 's#^\tbind 127.0.0.1$#\tbind 0.0.0.0#' \
        -e 's#store ./examples/store.json#store /etc/gateway/examples/store.json#' \
        -e 's#^\t\tsession_keys ephemeral$#\t\tsession_keys {env.GATEWAY_SESSION_KEY}#' \
        caddyfile.example > /out/etc/gateway/Caddyfile \
 && cp -r examples /out/etc/gateway/examples \
 && grep -q '^.bind 0.0.0.0$' /out/etc/gateway/Caddyfile \
 && grep -q 'store /etc/gateway/examples/store.json' /out/etc/gateway/Caddyfile \
 && grep -q '^.*session_keys {env.GATEWAY_SESSION_KEY}$' /out/etc/gateway/Caddyfile \
 && ! grep -q 'session_keys ephemeral' /out/etc/gateway/Caddyfile

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gateway /gateway
COPY --from=build /out/etc/gateway /etc/gateway
# Caddy keeps its state (autosave.json, certificates) under XDG directories.
ENV XDG_CONFIG_HOME=/tmp/config XDG_DATA_HOME=/tmp/data
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/gateway", "run", "--config", "/etc/gateway/Caddyfile"]
