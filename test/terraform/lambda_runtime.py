"""Run Lambda functions of a moto server as local processes, behind an
emulation of the Lambda Runtime API. Test use only.

moto 5.2.1 runs a function's code only in Docker. Here each function's
deployment package must hold an executable `bootstrap` built for this
machine (a custom runtime such as provided.al2023). The first invocation of
a function unpacks it, starts it with AWS_LAMBDA_RUNTIME_API pointing to a
Runtime API server on 127.0.0.1, and keeps it running for later
invocations, as Lambda keeps an execution environment warm. One environment
serves one invocation at a time; concurrent invocations of the same
function wait for it.

The function's environment is its configured variables, the extra
variables given to install() (the same for every function), the variables
Lambda sets, dummy credentials and AWS_ENDPOINT_URL, so that its AWS SDK
calls go to the moto server.
"""

import atexit
import hashlib
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RUNTIME_PREFIX = "/2018-06-01/runtime"

# Time a started process gets to call /invocation/next before the
# invocation is reported as failed.
INIT_TIMEOUT_SECONDS = 30


class Invocation:
    """One pending or running invocation and its result."""

    def __init__(self, event, deadline):
        self.request_id = str(uuid.uuid4())
        self.event = event
        self.deadline = deadline
        self.done = threading.Event()
        self.payload = b""
        self.failed = False

    def finish(self, payload, failed):
        if self.done.is_set():
            return
        self.payload = payload
        self.failed = failed
        self.done.set()


def error_payload(error_type, message):
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class Environment:
    """An execution environment: one process of a function and the Runtime
    API server it polls."""

    def __init__(self, fn, bootstrap, endpoint, extra_env):
        self.name = fn.function_name
        self.arn = fn.function_arn
        self.timeout = float(fn.timeout or 3)
        self.pending = queue.Queue()
        self.running = {}
        self.init_error = None
        self.lock = threading.Lock()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        port = self.server.server_address[1]

        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "TMPDIR": tempfile.gettempdir(),
            "LANG": "C.UTF-8",
        }
        env.update(fn.environment_vars or {})
        env.update(extra_env)
        env.update({
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + fn.function_name,
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
            "AWS_ENDPOINT_URL": endpoint,
            "_HANDLER": fn.handler or "bootstrap",
            "LAMBDA_TASK_ROOT": os.path.dirname(bootstrap),
        })
        self.process = subprocess.Popen(
            [bootstrap],
            cwd=os.path.dirname(bootstrap),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=self._forward_output, daemon=True).start()

    def _forward_output(self):
        """Copy the function's log lines to the launcher's standard error,
        which the test shows when it fails."""
        for line in self.process.stdout:
            text = line.decode("utf-8", "replace").rstrip()
            print(f"lambda {self.name}: {text}", file=sys.stderr, flush=True)

    def alive(self):
        return self.process.poll() is None and self.init_error is None

    def invoke(self, event):
        """Run one invocation and return (payload, failed)."""
        with self.lock:
            inv = Invocation(event, time.time() + self.timeout)
            self.pending.put(inv)
            # The deadline counts from when the process takes the event;
            # until then the wait is bounded by the init timeout.
            limit = time.time() + INIT_TIMEOUT_SECONDS + self.timeout
            while not inv.done.wait(0.1):
                if self.init_error is not None:
                    inv.finish(self.init_error, True)
                elif self.process.poll() is not None:
                    inv.finish(error_payload("Runtime.ExitError", f"the function's process exited with status {self.process.returncode}"), True)
                elif inv.request_id in self.running and time.time() > inv.deadline + 1:
                    self.stop()
                    inv.finish(error_payload("Sandbox.Timedout", f"Task timed out after {self.timeout:.2f} seconds"), True)
                elif time.time() > limit:
                    self.stop()
                    inv.finish(error_payload("Runtime.Unavailable", "the function's process did not request the invocation"), True)
            self.running.pop(inv.request_id, None)
            return inv.payload, inv.failed

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.server.shutdown()
        self.server.server_close()

    def _handler_class(self):
        environment = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self):
                # The Go runtime client streams responses in chunks.
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            # Skip trailers up to the empty line.
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self):
                if self.path != RUNTIME_PREFIX + "/invocation/next":
                    self._reply(404, error_payload("NotFound", self.path))
                    return
                inv = environment.pending.get()
                # The deadline starts when the function takes the event.
                inv.deadline = time.time() + environment.timeout
                environment.running[inv.request_id] = inv
                self._reply(200, inv.event, {
                    "Lambda-Runtime-Aws-Request-Id": inv.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(int(inv.deadline * 1000)),
                    "Lambda-Runtime-Invoked-Function-Arn": environment.arn,
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                })

            def do_POST(self):
                body = self._body()
                parts = self.path[len(RUNTIME_PREFIX):].strip("/").split("/")
                if parts == ["init", "error"]:
                    environment.init_error = body or error_payload("Runtime.InitError", "the function failed to start")
                    self._reply(202, b"{}")
                    return
                if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
                    self._reply(404, error_payload("NotFound", self.path))
                    return
                inv = environment.running.get(parts[1])
                if inv is None:
                    self._reply(400, error_payload("InvalidRequestID", "no running invocation has this request ID"))
                    return
                inv.finish(body, parts[2] == "error")
                self._reply(202, b"{}")

        return Handler


class Runtime:
    """The execution environments of every function, keyed by function ARN
    and code digest, so that new code starts a new process."""

    def __init__(self, endpoint, extra_env):
        self.endpoint = endpoint
        self.extra_env = dict(extra_env)
        self.workdir = tempfile.mkdtemp(prefix="moto-lambda-")
        self.environments = {}
        self.lock = threading.Lock()
        atexit.register(self.close)

    def invoke(self, fn, event):
        """Invoke fn with the event (bytes) and return (payload, failed)."""
        try:
            env = self._environment(fn)
        except (OSError, ValueError, zipfile.BadZipFile) as err:
            return error_payload("Runtime.InvalidEntrypoint", f"cannot start {fn.function_name}: {err}"), True
        return env.invoke(event)

    def _environment(self, fn):
        digest = fn.code_digest or hashlib.sha256(fn.code_bytes).hexdigest()
        key = (fn.function_arn, digest)
        with self.lock:
            env = self.environments.get(key)
            if env is not None and env.alive():
                return env
            if env is not None:
                env.stop()
            bootstrap = self._unpack(fn, digest)
            env = Environment(fn, bootstrap, self.endpoint, self.extra_env)
            self.environments[key] = env
            return env

    def _unpack(self, fn, digest):
        target = os.path.join(self.workdir, fn.function_name, digest.replace("/", "_").replace("+", "-"))
        bootstrap = os.path.join(target, "bootstrap")
        if os.path.exists(bootstrap):
            return bootstrap
        if not fn.code_bytes:
            raise ValueError("the function has no deployment package")
        with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as archive:
            if "bootstrap" not in archive.namelist():
                raise ValueError("the deployment package has no bootstrap file")
            os.makedirs(target, exist_ok=True)
            archive.extractall(target)
        os.chmod(bootstrap, 0o755)
        return bootstrap

    def close(self):
        with self.lock:
            for env in self.environments.values():
                env.stop()
            self.environments.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)


def install(endpoint, extra_env=None):
    """Make moto's Lambda backend run functions through a Runtime: every
    Invoke, the SQS event source mappings, and the Lambda tasks of executed
    state machines (which call Invoke on the server)."""
    from moto.awslambda import models as lambda_models

    runtime = Runtime(endpoint, extra_env or {})

    def invoke(self, body, request_headers, response_headers):
        headers = {k.lower(): v for k, v in dict(request_headers or {}).items()}
        event = body.encode() if isinstance(body, str) else (body or b"{}")
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            threading.Thread(target=runtime.invoke, args=(self, event), daemon=True).start()
            return b""
        payload, failed = runtime.invoke(self, event)
        if failed:
            response_headers["x-amz-function-error"] = "Unhandled"
        return payload

    def send_sqs_batch(self, function_arn, messages, queue_arn):
        """Invoke the function once with the whole batch, as Lambda does,
        and report success only when no record failed. A function that
        returns batchItemFailures (ReportBatchItemFailures) fails the batch
        here, so that its messages become visible again.

        NOTE: moto invokes a mapping's function only when a message is
        sent, so a message that becomes visible again is not delivered
        again until the next message arrives on the queue."""
        if not messages:
            return True
        records = []
        for message in messages:
            records.append({
                "messageId": message.id,
                "receiptHandle": message.receipt_handle,
                "body": message.body,
                "attributes": {
                    "ApproximateReceiveCount": str(getattr(message, "approximate_receive_count", 1)),
                    "SentTimestamp": str(getattr(message, "sent_timestamp", int(time.time() * 1000))),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(message.body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": self.region_name,
            })
        fn = self.get_function(function_arn, None)
        payload, failed = runtime.invoke(fn, json.dumps({"Records": records}).encode())
        if failed:
            print(f"moto_launcher: {fn.function_name} failed on an SQS batch: {payload[:500]!r}", file=sys.stderr)
            return False
        try:
            response = json.loads(payload or b"null")
        except ValueError:
            return True
        failures = (response or {}).get("batchItemFailures") if isinstance(response, dict) else None
        if failures:
            print(f"moto_launcher: {fn.function_name} reported {len(failures)} failed records", file=sys.stderr)
            return False
        return True

    lambda_models.LambdaFunction.invoke = invoke
    lambda_models.LambdaBackend.send_sqs_batch = send_sqs_batch
    return runtime
