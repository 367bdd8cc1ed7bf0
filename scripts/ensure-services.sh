#!/usr/bin/env bash
# Starts the local services the integration tests use when they are not answering: RabbitMQ (5672) and
# PostgreSQL (5432). The commands are this machine class's own (see the env notes); elsewhere, point the tests
# at your services with AMQP_URL / DATABASE_URL instead. It only starts what is down, and waits for it.
set -uo pipefail

port_open() { (echo >"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 90); do
    port_open "$port" && { echo "$name is up on $port" >&2; return 0; }
    sleep 1
  done
  echo "$name did not come up on port $port" >&2
  return 1
}

if [ -z "${AMQP_URL:-}" ] && ! port_open 5672 && command -v rabbitmq-server >/dev/null 2>&1; then
  echo "starting RabbitMQ" >&2
  rabbitmq-server -detached >&2 || true
  wait_for RabbitMQ 5672 || exit 1
fi

if [ -z "${DATABASE_URL:-}" ] && ! port_open 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >&2 || true
  wait_for PostgreSQL 5432 || exit 1
fi
exit 0
