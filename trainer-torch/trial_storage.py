"""Reads and writes the trial's files by URI, with the standard library only: file:// paths, or blob URLs of the storage
account that AzureWebJobsStorage configures, as the built-in trainer reads it (Serverless.Trainer.Program.CreateStorage):

- a connection string (AccountName/AccountKey, BlobEndpoint or DefaultEndpointsProtocol/EndpointSuffix, or
  UseDevelopmentStorage=true for Azurite): Shared Key requests;
- identity-based AzureWebJobsStorage__blobServiceUri or __accountName (optional __clientId): bearer tokens of the
  managed identity (the Container Apps identity endpoint, else the instance metadata service).
"""

import base64
import datetime
import email.utils
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.parse
import urllib.request

SETTING = "AzureWebJobsStorage"
API_VERSION = "2021-08-06"
DEVELOPMENT_ACCOUNT = "devstoreaccount1"
DEVELOPMENT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
STORAGE_RESOURCE = "https://storage.azure.com/"


class TrialError(Exception):
    """A trial that cannot go on; the message is the reason in words, for stderr and error.txt."""


class TrialFiles:
    def __init__(self, environ=None):
        environ = os.environ if environ is None else environ
        self._account = _Account.from_environment(environ)

    def read(self, uri):
        if uri.lower().startswith("file://"):
            path = _local_path(uri)
            if not os.path.isfile(path):
                raise TrialError(f"'{uri}' does not exist.")
            with open(path, "rb") as f:
                return f.read()
        status, body = self._blob(uri).request("GET", self._relative(uri))
        if status == 404:
            raise TrialError(f"'{uri}' does not exist.")
        return body

    def read_text(self, uri):
        data = self.read(uri)
        return (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).decode("utf-8")

    def write(self, uri, content):
        if isinstance(content, str):
            content = content.encode("utf-8")
        if uri.lower().startswith("file://"):
            path = _local_path(uri)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
            return
        account, relative = self._blob(uri), self._relative(uri)
        headers = {"x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"}
        status, _ = account.request("PUT", relative, content, headers, allow=(404,))
        if status == 404:  # The container is not there yet.
            account.request("PUT", relative.split("/", 1)[0], b"", query={"restype": "container"}, allow=(409,))
            account.request("PUT", relative, content, headers)

    def _blob(self, uri):
        if self._account is None:
            raise TrialError(f"'{uri}' is not a file:// URI and no storage is configured: set {SETTING} (a connection string, "
                             f"or __accountName / __blobServiceUri) to reach blob URLs.")
        return self._account

    def _relative(self, uri):
        endpoint = self._account.endpoint
        if not uri.lower().startswith(endpoint.lower()):
            raise TrialError(f"'{uri}' is neither a file:// URI nor a blob URL of this storage account ({endpoint}).")
        relative = urllib.parse.unquote(uri[len(endpoint):].split("?")[0])
        if "/" not in relative.strip("/"):
            raise TrialError(f"'{uri}' names no blob (expected {endpoint}container/path).")
        return relative


def _local_path(uri):
    parsed = urllib.parse.urlparse(uri)
    return urllib.parse.unquote(parsed.path)


class _Account:
    def __init__(self, endpoint, name, key=None, client_id=None, environ=None):
        self.endpoint = endpoint.rstrip("/") + "/"
        self.name = name
        self._key = base64.b64decode(key) if key else None
        self._client_id = client_id
        self._environ = environ or {}
        self._token = None

    @staticmethod
    def from_environment(environ):
        connection = environ.get(SETTING, "").strip()
        if connection:
            return _Account.from_connection_string(connection)
        prefix = SETTING + "__"
        settings = {k[len(prefix):].lower(): v for k, v in environ.items() if k.startswith(prefix) and v}
        endpoint = settings.get("blobserviceuri") or (
            f"https://{settings['accountname']}.blob.core.windows.net" if settings.get("accountname") else None)
        if not endpoint:
            return None
        host = urllib.parse.urlparse(endpoint).hostname or ""
        return _Account(endpoint, settings.get("accountname") or host.split(".")[0], client_id=settings.get("clientid"), environ=environ)

    @staticmethod
    def from_connection_string(text):
        parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
        parts = {k.strip().lower(): v.strip() for k, v in parts.items()}
        if parts.get("usedevelopmentstorage", "").lower() == "true":
            return _Account(f"http://127.0.0.1:10000/{DEVELOPMENT_ACCOUNT}", DEVELOPMENT_ACCOUNT, DEVELOPMENT_KEY)
        name, key = parts.get("accountname"), parts.get("accountkey")
        if not name or not key:
            raise TrialError(f"{SETTING} is a connection string without AccountName and AccountKey (SAS connection strings are not supported here).")
        endpoint = parts.get("blobendpoint") or (
            f"{parts.get('defaultendpointsprotocol', 'https')}://{name}.blob.{parts.get('endpointsuffix', 'core.windows.net')}")
        return _Account(endpoint, name, key)

    def request(self, method, relative, body=None, headers=None, query=None, allow=()):
        url = self.endpoint + urllib.parse.quote(relative, safe="/")
        if query:
            url += "?" + urllib.parse.urlencode(sorted(query.items()))
        headers = dict(headers or {})
        headers["x-ms-date"] = email.utils.formatdate(usegmt=True)
        headers["x-ms-version"] = API_VERSION
        if body is not None:
            headers["Content-Length"] = str(len(body))
        headers["Authorization"] = self._authorization(method, url, headers) if self._key else "Bearer " + self._bearer()
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:300].decode("utf-8", "replace")
            if e.code in allow or (e.code == 404 and method == "GET"):
                return e.code, b""
            raise TrialError(f"{method} {url.split('?')[0]} answered {e.code} {e.reason}: {detail}") from None
        except urllib.error.URLError as e:
            raise TrialError(f"{method} {url.split('?')[0]} failed: {e.reason}") from None

    def _authorization(self, method, url, headers):
        """Shared Key (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key)."""
        parsed = urllib.parse.urlparse(url)
        lower = {k.lower(): v for k, v in headers.items()}
        length = lower.get("content-length", "")
        standard = [method, lower.get("content-encoding", ""), lower.get("content-language", ""), "" if length == "0" else length,
                    lower.get("content-md5", ""), lower.get("content-type", ""), "", lower.get("if-modified-since", ""),
                    lower.get("if-match", ""), lower.get("if-none-match", ""), lower.get("if-unmodified-since", ""), lower.get("range", "")]
        canonical_headers = "".join(f"{k}:{v.strip()}\n" for k, v in sorted(lower.items()) if k.startswith("x-ms-"))
        resource = f"/{self.name}{parsed.path}"
        for k, v in sorted(urllib.parse.parse_qsl(parsed.query)):
            resource += f"\n{k.lower()}:{v}"
        text = "\n".join(standard) + "\n" + canonical_headers + resource
        signature = base64.b64encode(hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).digest()).decode()
        return f"SharedKey {self.name}:{signature}"

    def _bearer(self):
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        if self._token and self._token[1] - 300 > now:
            return self._token[0]
        identity_endpoint, identity_header = self._environ.get("IDENTITY_ENDPOINT"), self._environ.get("IDENTITY_HEADER")
        query = {"resource": STORAGE_RESOURCE}
        if self._client_id:
            query["client_id"] = self._client_id
        if identity_endpoint and identity_header:  # Container Apps, App Service.
            url = identity_endpoint + "?" + urllib.parse.urlencode({"api-version": "2019-08-01", **query})
            headers = {"X-IDENTITY-HEADER": identity_header}
        else:  # Virtual machines.
            url = "http://169.254.169.254/metadata/identity/oauth2/token?" + urllib.parse.urlencode({"api-version": "2018-02-01", **query})
            headers = {"Metadata": "true"}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
                token = json.loads(response.read())
        except (urllib.error.URLError, ValueError) as e:
            raise TrialError(f"Could not get a managed identity token for storage ({SETTING}__clientId "
                             f"{self._client_id or 'unset'}): {getattr(e, 'reason', e)}") from None
        self._token = (token["access_token"], float(token.get("expires_on") or now + 3600))
        return self._token[0]
