"""Start a moto server on 127.0.0.1 with fixes for the gaps of moto 5.2.1
that break `terraform apply` of the moderato stack. Test use only.

Usage: python3 moto_launcher.py PORT

Each fix wraps a moto function and changes only the behaviour named in its
comment; everything else is moto's own code.
"""

import json
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


def fix_sqs_event_source():
    """moto invokes the function of an SQS event source mapping when a
    message arrives, through Docker, and without Docker the message stays
    invisible for the queue's visibility timeout. The invocation is dropped
    and the message stays visible, so that the test can hand it to the
    starter's code itself."""

    def send_sqs_batch(self, function_arn, messages, queue_arn):
        return False

    lambda_models.LambdaBackend.send_sqs_batch = send_sqs_batch


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


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: moto_launcher.py PORT")
    if moto.__version__ != "5.2.1":
        print(f"moto_launcher: written for moto 5.2.1, running {moto.__version__}", file=sys.stderr)

    fix_stepfunctions()
    fix_lambda()
    fix_s3_notification()
    fix_sqs_redrive_policy()
    fix_policy_conditions()
    fix_sqs_event_source()
    fix_event_rule_isolation()

    from moto.server import main as server_main

    server_main(["-H", "127.0.0.1", "-p", sys.argv[1]])


if __name__ == "__main__":
    main()
