#!/bin/sh
# Builds the trainer image, pushes it to the deployment's registry and points the trainer job at it.
# Run by `azd up`/`azd deploy` (postdeploy hook) and by the deploy workflow; reads the deployment's outputs:
#   AZURE_CONTAINER_REGISTRY_NAME, AZURE_CONTAINER_REGISTRY_ENDPOINT, AZURE_RESOURCE_GROUP, TRAINER_JOB_NAME
# Builds with the local Docker when it runs, else in the registry itself (az acr build; no Docker needed).
# TRAINER_IMAGE_TAG overrides the tag (default: the commit, else the time).
set -eu

: "${AZURE_CONTAINER_REGISTRY_NAME:?set by azd from the deployment outputs}"
: "${AZURE_RESOURCE_GROUP:?set by azd from the deployment outputs}"
: "${TRAINER_JOB_NAME:?set by azd from the deployment outputs}"

root=$(cd "$(dirname "$0")/.." && pwd)
tag=${TRAINER_IMAGE_TAG:-$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)}
server=${AZURE_CONTAINER_REGISTRY_ENDPOINT:-$AZURE_CONTAINER_REGISTRY_NAME.azurecr.io}
image="$server/serverless-trainer:$tag"

# The build context: only what trainer/Dockerfile copies (no bin/obj, Azurite or .git).
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
tar -C "$root" --exclude=bin --exclude=obj -cf - Directory.Build.props Directory.Packages.props core trainer | tar -C "$context" -xf -

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  az acr login --name "$AZURE_CONTAINER_REGISTRY_NAME"
  docker build --file "$context/trainer/Dockerfile" --tag "$image" "$context"
  docker push "$image"
else
  az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "serverless-trainer:$tag" --file "$context/trainer/Dockerfile" "$context"
fi

az containerapp job update --name "$TRAINER_JOB_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
  --container-name trainer --image "$image" --output none

# A later `azd provision` keeps this image (main.parameters.json reads TRAINER_IMAGE).
if command -v azd >/dev/null 2>&1 && [ -n "${AZURE_ENV_NAME:-}" ]; then
  azd env set TRAINER_IMAGE "$image"
fi
echo "trainer job $TRAINER_JOB_NAME runs $image"
