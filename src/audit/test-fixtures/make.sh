#!/bin/sh
# Real key and certificate files for the secret classifier's tests (src/audit/secret.rs) and
# the deleted-secret tests (tests/image_findings.rs). Every key here was made for these tests
# only, protects nothing and is no secret. Run from this directory: sh make.sh
set -eu
rm -f ./*.pem ./*.p12 ./*.ppk id_ed25519 id_ed25519.pub
# A self-signed certificate, as /etc/ssl/certs holds, with its EC key.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout ec-key.pem -out cert.pem -subj "/CN=layerbom test CA" -days 3650 2>/dev/null
openssl pkey -in ec-key.pem -pubout -out public.pem
# PKCS#8 keys: plain (Ed25519) and encrypted (RSA).
openssl genpkey -algorithm ed25519 -out ed25519.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc \
  -pass pass:layerbom-test -out rsa-encrypted.pem 2>/dev/null
# The traditional form: BEGIN EC PRIVATE KEY.
openssl ec -in ec-key.pem -out ec-traditional.pem 2>/dev/null
# A PKCS#12 key store of the key and certificate.
openssl pkcs12 -export -inkey ec-key.pem -in cert.pem -passout pass:layerbom-test \
  -out store.p12
# An OpenSSH key pair.
ssh-keygen -q -t ed25519 -N '' -C layerbom-test -f id_ed25519
