"""Start a moto server on 127.0.0.1 with fixes for the gaps of moto 5.2.1
that break `terraform apply` of the moderato stack. Test use only.

Usage: python3 moto_launcher.py PORT [NAME=VALUE ...]

Each NAME=VALUE is set in the environment of every function process, on
top of the function's own configuration.

Each fix wraps a moto function and changes only the behaviour named in its
comment; everything else is moto's own code.
"""

import json
import os
import re
import sys

import moto
from moto.awslambda import models as lambda_models
from moto.iam import access_control
from moto.s3 import responses as s3_responses
from moto.sqs import models as sqs_models
from moto.stepfunctions import responses as sfn_responses
from moto.core.responses import ActionResult


def fix_stepfunctions():
    """ValidateStateMachineDefinition and ListStateMachineVersions are not
    implemented: the AWS provider calls the first before creating a state
    machine and the second when reading one. The definition is accepted as
    valid and no versions are listed, because the stack publishes none."""

    def validate_state_machine_definition(self):
        definition = self._get_param("definition")
        try:
            json.loads(definition)
        except (TypeError, ValueError) as err:
            return ActionResult({
                "result": "FAIL",
                "diagnostics": [{"severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION", "message": str(err)}],
            })
        return ActionResult({"result": "OK", "diagnostics": []})

    def list_state_machine_versions(self):
        return ActionResult({"stateMachineVersions": []})

    sfn_responses.StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    sfn_responses.StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


def fix_concurrent_executions():
    """moto's Step Functions interpreter deep-copies the state machine for
    each new execution, together with its running executions, whose locks
    cannot be copied: StartExecution fails with HTTP 500 while another
    execution of the machine runs. The copy leaves the executions out."""
    import copy

    from moto.stepfunctions import models as sfn_models

    def deepcopy(self, memo):
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
        return clone

    sfn_models.StateMachine.__deepcopy__ = deepcopy


LAMBDA_OMITTED_FIELDS = ("DeadLetterConfig", "KMSKeyArn", "LoggingConfig")


def fix_lambda():
    """GetFunction and CreateFunction omit DeadLetterConfig, KMSKeyArn and
    LoggingConfig, so every plan shows a change. The values sent are kept and
    returned; LoggingConfig gets AWS's defaults for fields not sent."""

    original_init = lambda_models.LambdaFunction.__init__
    original_update = lambda_models.LambdaFunction.update_configuration
    original_get = lambda_models.LambdaFunction.get_configuration

    def remember(fn, spec):
        omitted = getattr(fn, "_omitted_config", {})
        for key in LAMBDA_OMITTED_FIELDS:
            if key in spec:
                omitted[key] = spec[key]
        if "LoggingConfig" in omitted:
            logging = {"LogFormat": "Text", "LogGroup": "/aws/lambda/" + fn.function_name}
            logging.update(omitted["LoggingConfig"])
            omitted["LoggingConfig"] = logging
        fn._omitted_config = omitted

    def init(self, account_id, spec, region, version=1):
        original_init(self, account_id, spec, region, version)
        remember(self, spec)

    def update_configuration(self, config_updates):
        remember(self, config_updates)
        return original_update(self, config_updates)

    def get_configuration(self, *args, **kwargs):
        config = original_get(self, *args, **kwargs)
        config.update(getattr(self, "_omitted_config", {}))
        return config

    lambda_models.LambdaFunction.__init__ = init
    lambda_models.LambdaFunction.update_configuration = update_configuration
    lambda_models.LambdaFunction.get_configuration = get_configuration


def fix_s3_notification():
    """GetBucketNotificationConfiguration omits the EventBridge
    configuration, so the provider plans to turn EventBridge on again."""

    original = s3_responses.S3Response.get_bucket_notification

    def get_bucket_notification(self):
        response = original(self)
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if config is None or config.event_bridge is None:
            return response
        status, headers, body = response
        text = body.decode() if isinstance(body, bytes) else body
        closing = "</NotificationConfiguration>"
        if closing in text:
            text = text.replace(closing, "<EventBridgeConfiguration></EventBridgeConfiguration>" + closing)
        else:
            # An empty configuration is rendered as a self-closing element.
            text = re.sub(
                r"<NotificationConfiguration([^>]*)/>",
                r"<NotificationConfiguration\1><EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>",
                text,
            )
        return status, headers, text.encode() if isinstance(body, bytes) else text

    s3_responses.S3Response.get_bucket_notification = get_bucket_notification


def fix_sqs_redrive_policy():
    """RedrivePolicy comes back with spaces after separators, which the
    provider reports as a change on every plan. AWS returns it compact."""

    original = sqs_models.Queue.attributes.fget

    def attributes(self):
        result = original(self)
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    sqs_models.Queue.attributes = property(attributes)


def fix_policy_conditions():
    """moto evaluates a condition on a context key that the request does not
    carry as true, and requests to moto carry no aws:SecureTransport, so a
    bucket policy that denies requests without TLS denies every object
    request. In IAM a condition on a missing key does not hold, and the Deny
    statement does not apply."""

    original = access_control.IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        result = original(self, action, resource, principal, incoming_condition_values)
        conditions = self._statement.get("Condition") or {}
        if result != access_control.PermissionResult.DENIED or self._statement.get("Effect") != "Deny" or not conditions:
            return result
        present = incoming_condition_values or {}
        keys = [key for operator in conditions.values() for key in operator]
        if any(key not in present for key in keys):
            return access_control.PermissionResult.NEUTRAL
        return result

    access_control.IAMPolicyStatement.is_action_permitted = is_action_permitted


def fix_event_rule_isolation():
    """moto hands an S3 event to every rule in creation order and stops at
    the first rule whose delivery raises, swallowing the error. A schedule
    rule with a Lambda target raises, so whether the intake rule saw an
    upload depended on the order in which the apply created the rules.
    Schedule rules match no events in AWS; skip them, and let each other
    rule fail on its own."""
    from moto.events import models as events_models

    original = events_models.Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input=True):
        if self.scheduled_expression:
            return
        try:
            original(self, original_event, transform_input)
        except Exception as exc:  # noqa: BLE001 - reported, then the next rule runs
            print(f"moto_launcher: rule {self.name} did not deliver an event: {exc!r}", file=sys.stderr)

    events_models.Rule.send_to_targets = send_to_targets


def run_functions(port, extra_env):
    """Runs the functions' code and the state machines' executions. moto
    runs a function only in Docker, and by default records executions
    without running them. Functions run as local processes behind a Lambda
    Runtime API emulation (lambda_runtime.py), and moto's Step Functions
    interpreter runs each execution, calling Invoke on this server for its
    Lambda tasks. The interpreter reaches the server at localhost:MOTO_PORT."""
    from moto.core.config import default_user_config

    import lambda_runtime

    os.environ["MOTO_PORT"] = port
    default_user_config["stepfunctions"]["execute_state_machine"] = True
    lambda_runtime.install(f"http://127.0.0.1:{port}", extra_env)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: moto_launcher.py PORT [NAME=VALUE ...]")
    extra_env = {}
    for arg in sys.argv[2:]:
        name, sep, value = arg.partition("=")
        if not sep or not name:
            sys.exit(f"moto_launcher: invalid function variable {arg!r}: use NAME=VALUE")
        extra_env[name] = value
    if moto.__version__ != "5.2.1":
        print(f"moto_launcher: written for moto 5.2.1, running {moto.__version__}", file=sys.stderr)

    fix_stepfunctions()
    fix_concurrent_executions()
    fix_lambda()
    fix_s3_notification()
    fix_sqs_redrive_policy()
    fix_policy_conditions()
    fix_event_rule_isolation()
    run_functions(sys.argv[1], extra_env)

    from moto.server import main as server_main

    server_main(["-H", "127.0.0.1", "-p", sys.argv[1]])


if __name__ == "__main__":
    main()
