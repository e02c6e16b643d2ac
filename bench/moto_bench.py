"""Run the benchmark workloads through moto's in-process Step Functions engine.

Prints one JSON object: executions per second for each workload. moto is
driven the way tests use it, through boto3 inside mock_aws (no server).

moto 5.2.1 deep-copies a state machine on StartExecution, including its
reference to the whole backend, which fails on the locks the backend holds.
The patch below keeps that reference shared. A second execution of one state
machine fails the same way on the first execution's lock, so each execution
gets a fresh state machine, created outside the timed part.
Lambda tasks run on moto's docker-less Lambda backend, which returns the
results queued for it. The script queues the results that the Go
benchmark's stub handlers return, in call order.
"""

import argparse
import copy
import json
import os
import re
import sys
import time

import boto3
from moto import mock_aws
from moto.awslambda_simple.models import lambda_simple_backends
from moto.stepfunctions.models import StateMachine


def _copy_state_machine(self, memo):
    clone = self.__class__.__new__(self.__class__)
    memo[id(self)] = clone
    for key, value in self.__dict__.items():
        setattr(clone, key, value if key == "backend" else copy.deepcopy(value, memo))
    return clone


StateMachine.__deepcopy__ = _copy_state_machine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REGION = "us-east-1"
ACCOUNT = "123456789012"


def read(path):
    with open(path) as f:
        return f.read()


def render_moderation():
    """Render the moderation template as the Go benchmark does."""
    template = read(os.path.join(ROOT, "statemachines", "moderation.asl.json"))

    def value(match):
        name = match.group(1)
        if name.endswith("_seconds"):
            return "3600"
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"

    names = sorted(set(re.findall(r"\$\{(\w+)\}", template)))
    return re.sub(r"\$\{(\w+)\}", value, template), names


def workloads():
    data = os.path.join(HERE, "testdata")
    moderation, functions = render_moderation()
    stubs = json.loads(read(os.path.join(data, "moderation.stubs.json")))
    calls = [
        "inspect_function_arn",
        "moderate_text_function_arn",
        "detect_pii_text_function_arn",
        "decide_function_arn",
        "record_outcome_function_arn",
    ]
    return {
        "Moderation": {
            "definition": moderation,
            "input": read(os.path.join(data, "moderation.input.json")),
            "functions": [f for f in functions if not f.endswith("_seconds")],
            "lambda_results": [json.dumps(stubs[c]) for c in calls],
        },
        "PassChoiceMap": {
            "definition": read(os.path.join(data, "pass_choice_map.asl.json")),
            "input": read(os.path.join(data, "pass_choice_map.input.json")),
        },
        "PassTransition": {
            "definition": read(os.path.join(data, "pass_chain.asl.json")),
            "input": "{}",
        },
    }


def run_workload(name, w, seconds, min_runs):
    sfn = boto3.client("stepfunctions", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    lam = boto3.client("lambda", region_name=REGION)
    role = iam.create_role(RoleName=f"bench-{name}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for fn in w.get("functions", []):
        lam.create_function(
            FunctionName=fn,
            Runtime="provided.al2023",
            Role=role,
            Handler="bootstrap",
            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        )
    queue = lambda_simple_backends[ACCOUNT][REGION].lambda_simple_results_queue

    runs, timed = 0, 0.0
    while timed < seconds or runs < min_runs:
        arn = sfn.create_state_machine(
            name=f"{name}-{runs}", definition=w["definition"], roleArn=role
        )["stateMachineArn"]
        queue[:] = list(w.get("lambda_results", []))

        start = time.perf_counter()
        execution = sfn.start_execution(stateMachineArn=arn, name="e", input=w["input"])["executionArn"]
        while True:
            status = sfn.describe_execution(executionArn=execution)
            if status["status"] != "RUNNING":
                break
            time.sleep(0.005)
        timed += time.perf_counter() - start
        runs += 1

        if status["status"] != "SUCCEEDED":
            history = sfn.get_execution_history(executionArn=execution)["events"]
            sys.exit(f"{name}: moto execution ended {status['status']}: {history[-1]}")
    return {"executions": runs, "seconds": timed, "execs_per_sec": runs / timed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="timed seconds per workload")
    parser.add_argument("--min-runs", type=int, default=5, help="minimum executions per workload")
    args = parser.parse_args()

    results = {}
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        for name, w in workloads().items():
            results[name] = run_workload(name, w, args.seconds, args.min_runs)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
