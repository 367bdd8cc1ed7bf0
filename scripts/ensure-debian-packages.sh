#!/usr/bin/env bash
# Installs the Debian packages the cross-language tests run against (Apache Thrift's compiler and Python
# library, pika, boto3) when they are missing. Needs root (CI and the dev machines run as root); without root
# it only says what is missing, and the tests that need them fail under CI or skip locally.
set -euo pipefail
packages=(thrift-compiler python3-thrift python3-pika python3-boto3)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages (install as root): ${missing[*]}" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
