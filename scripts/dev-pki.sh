#!/usr/bin/env bash
# Throwaway development PKI for Apple Wallet passes (never for production):
#   root CA → WWDR-like intermediate → Pass Type ID signer (+ an APNs-like client cert).
# Passes signed with it verify with `openssl smime -verify … -CAfile root.pem` but no
# iPhone installs them. Usage: scripts/dev-pki.sh [dir] [passTypeId] [teamId]
set -euo pipefail

DIR="${1:-./data/dev-certs}"
PASS_TYPE_ID="${2:-pass.dev.tierpass}"
TEAM_ID="${3:-DEVTEAM000}"
DAYS=825

mkdir -p "$DIR"
cd "$DIR"
umask 077
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/ca.ext" <<CONF
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CONF
cat >"$TMP/signer.ext" <<CONF
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CONF
# Apple's push certificates carry these two OIDs (development / production APNs);
# @parse/node-apn refuses a client certificate without them.
cat >"$TMP/apns.ext" <<CONF
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
1.2.840.113635.100.6.3.1 = ASN1:NULL
1.2.840.113635.100.6.3.2 = ASN1:NULL
CONF

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
  -keyout root-key.pem -out root.pem -subj "/O=Tierpass Dev/CN=Tierpass Dev Root CA" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl req -newkey rsa:2048 -nodes -sha256 -keyout wwdr-key.pem -out "$TMP/wwdr.csr" \
  -subj "/O=Tierpass Dev/OU=G4/CN=Tierpass Dev WWDR Intermediate" 2>/dev/null
openssl x509 -req -in "$TMP/wwdr.csr" -CA root.pem -CAkey root-key.pem -CAcreateserial \
  -out wwdr.pem -days "$DAYS" -sha256 -extfile "$TMP/ca.ext" 2>/dev/null

openssl req -newkey rsa:2048 -nodes -sha256 -keyout signerKey.pem -out "$TMP/signer.csr" \
  -subj "/UID=$PASS_TYPE_ID/CN=Pass Type ID: $PASS_TYPE_ID/OU=$TEAM_ID/O=Tierpass Dev/C=US" 2>/dev/null
openssl x509 -req -in "$TMP/signer.csr" -CA wwdr.pem -CAkey wwdr-key.pem -CAcreateserial \
  -out signerCert.pem -days "$DAYS" -sha256 -extfile "$TMP/signer.ext" 2>/dev/null

openssl req -newkey rsa:2048 -nodes -sha256 -keyout apnsKey.pem -out "$TMP/apns.csr" \
  -subj "/UID=$PASS_TYPE_ID/CN=Apple Push Services: $PASS_TYPE_ID/OU=$TEAM_ID/O=Tierpass Dev/C=US" 2>/dev/null
openssl x509 -req -in "$TMP/apns.csr" -CA wwdr.pem -CAkey wwdr-key.pem -CAcreateserial \
  -out apnsCert.pem -days "$DAYS" -sha256 -extfile "$TMP/apns.ext" 2>/dev/null

rm -f ./*.srl
echo "Development PKI written to $(pwd) (root.pem, wwdr.pem, signerCert.pem, signerKey.pem, apnsCert.pem, apnsKey.pem)"
