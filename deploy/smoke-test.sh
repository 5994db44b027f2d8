#!/bin/sh
# Checks a deployment: readiness (anonymous), then one inference with a client key on a tiny model registered with
# the operator key (deploy/smoke-model.onnx: "a", "b" FP32 [N,3] -> "sum", "product"; registering the same bytes
# again answers 200). Reads SERVICE_API_URI, AZURE_RESOURCE_GROUP and AZURE_FUNCTION_APP_NAME (the deployment's
# outputs; `azd env get-values` prints them). Needs curl, jq and az (signed in), unless SMOKE_OPERATOR_KEY and
# SMOKE_CLIENT_KEY give the keys. Exit 0 when both answer as expected.
set -eu

: "${SERVICE_API_URI:?the app's URL, from the deployment outputs}"

url=${SERVICE_API_URI%/}
model="$(cd "$(dirname "$0")" && pwd)/smoke-model.onnx"
attempts=${SMOKE_READY_ATTEMPTS:-60}

i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v2/health/ready")" = 200 ]; do
  i=$((i + 1))
  if [ "$i" -ge "$attempts" ]; then
    echo "smoke test: $url/api/v2/health/ready did not answer 200 after $attempts attempts" >&2
    exit 1
  fi
  sleep 5
done
echo "ready: $url/api/v2/health/ready"

if [ -n "${SMOKE_OPERATOR_KEY:-}" ] && [ -n "${SMOKE_CLIENT_KEY:-}" ]; then
  master=$SMOKE_OPERATOR_KEY
  client=$SMOKE_CLIENT_KEY
else
  keys=$(az functionapp keys list --resource-group "${AZURE_RESOURCE_GROUP:?from the deployment outputs}" \
    --name "${AZURE_FUNCTION_APP_NAME:?from the deployment outputs}" --output json)
  master=$(printf '%s' "$keys" | jq -r '.masterKey')
  client=$(printf '%s' "$keys" | jq -r '.functionKeys.default')
fi

curl -fsS -X PUT "$url/api/models/smoke-test/versions/1" -H "x-functions-key: $master" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$model" -o /dev/null

body='{"inputs":[{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{"name":"b","shape":[1,3],"datatype":"FP32","data":[4,5,6]}]}'
answer=$(curl -fsS -X POST "$url/api/v2/models/smoke-test/versions/1/infer" -H "x-functions-key: $client" \
  -H 'Content-Type: application/json' -d "$body")
if ! printf '%s' "$answer" | jq -e '[.outputs[] | select(.name == "sum") | .data] == [[5, 7, 9]]' >/dev/null; then
  echo "smoke test: unexpected inference answer: $answer" >&2
  exit 1
fi
echo "inference: sum of [1,2,3] and [4,5,6] is [5,7,9]"
