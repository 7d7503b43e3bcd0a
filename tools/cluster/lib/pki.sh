# The cluster's PKI, made with openssl: a CA, the API server's serving certificate, one client certificate per
# component (its CN and O are the user and group RBAC sees) and the service-account token signing key pair.
# shellcheck shell=bash

# Issues NAME.crt/NAME.key in PKI signed by the CA; $3 is the subject, $4 an optional subjectAltName.
issue_cert() {
  local pki="$1" name="$2" subject="$3" san="${4:-}"
  local ext="$pki/$name.ext"
  if [[ -n "$san" ]]; then
    printf 'basicConstraints=CA:FALSE\nkeyUsage=%s\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
      digitalSignature,keyEncipherment "$san" >"$ext"
  else
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$ext"
  fi
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 365 \
    -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

# Makes the PKI once; a later up reuses it, so kubeconfigs written before stay valid.
make_pki() {
  local pki="$1"
  [[ -f "$pki/.complete" ]] && return 0
  rm -rf "$pki" && mkdir -p "$pki" && chmod 700 "$pki"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -subj "/CN=agent-stack-camel-test-ca" \
    -days 365 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/ca.crt" 2>/dev/null
  local names="IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default"
  names+=",DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue_cert "$pki" apiserver "/CN=kube-apiserver" "$names"
  issue_cert "$pki" admin "/O=system:masters/CN=kubernetes-admin"
  issue_cert "$pki" kube-controller-manager "/CN=system:kube-controller-manager"
  issue_cert "$pki" kube-scheduler "/CN=system:kube-scheduler"
  # kwok plays every kubelet; the node authorizer would confine a client to one node, so it gets cluster-admin.
  issue_cert "$pki" kwok "/O=system:masters/CN=kwok"
  # The aggregation layer's client; the API server trusts X-Remote-User headers only from this name.
  issue_cert "$pki" front-proxy-client "/CN=front-proxy-client"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  touch "$pki/.complete"
}

# Prints a kubeconfig for WHO's client certificate against SERVER, with everything embedded.
write_kubeconfig() {
  local pki="$1" who="$2" server="$3"
  cat <<YAML
apiVersion: v1
kind: Config
clusters:
- name: agent-stack-camel-test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $who
  user:
    client-certificate-data: $(base64 -w0 <"$pki/$who.crt")
    client-key-data: $(base64 -w0 <"$pki/$who.key")
contexts:
- name: $who@agent-stack-camel-test
  context:
    cluster: agent-stack-camel-test
    user: $who
current-context: $who@agent-stack-camel-test
YAML
}
