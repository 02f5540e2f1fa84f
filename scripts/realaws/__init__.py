"""Running against a real AWS account: `make acceptance` (WORKFORCE_ACCEPTANCE=aws) and
`make probe-aws` share this package.

* ``target``: which account and region, checked before anything is created (credentials,
  region, no workforce that is not ours);
* ``ledger``: every resource a run creates, tagged, written down before it is created and
  removed at the end (also after a failure or Ctrl-C), with what it may cost;
* ``prerequisites``: what the acceptance scenarios need besides SageMaker (a Cognito user
  pool, app client and groups; a Secrets Manager secret; the stack's table, topic and
  parameter), made with boto3 and entered in the ledger;
* ``probes``: one small, reversible probe per emulator assumption (docs/emulator.md).

The same code runs against the emulator when ``AWS_ENDPOINT_URL`` points at it: that is how
the tests exercise it, and how ``make acceptance`` runs by default.
"""
