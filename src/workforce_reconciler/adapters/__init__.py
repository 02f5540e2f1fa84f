"""boto3 adapters implementing ``ports``: each takes injected clients, translates
``ClientError`` codes into ``errors``, and lists the IAM actions it needs beside its calls."""
