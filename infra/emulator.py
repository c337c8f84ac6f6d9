"""Where the embedded AWS emulator (moto) must be made to behave as AWS does.

DynamoDB applies each request atomically: a conditional put, update or transaction is checked and written
as one step. moto checks, then writes, with no lock between, so two threads (the handler ring's bursts,
the local gateway's functions) could both pass a condition that only one may pass. Each DynamoDB request
is made one step here, as DynamoDB makes it.
"""

from __future__ import annotations

import threading
from typing import Any

_ONE_AT_A_TIME = threading.RLock()


def make_dynamodb_atomic() -> None:
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_made_atomic", False):
        return
    original = DynamoHandler.call_action

    def atomic(self: Any) -> Any:
        with _ONE_AT_A_TIME:
            return original(self)

    DynamoHandler.call_action = atomic  # type: ignore[method-assign]
    DynamoHandler._made_atomic = True  # type: ignore[attr-defined]


def make_transactions_item_sized() -> None:
    """moto backs up every table a transaction touches (a deep copy, whole) before writing, so each transaction
    costs the size of its tables: quadratic over a run that fills a table through transactions (the 10,000
    contacts of the provisioning bench). DynamoDB's transaction is replaced by one with its semantics (every
    condition checked against the state before the transaction; if one fails nothing is written and each
    write's reason is reported) whose rollback keeps only the items it writes."""
    import copy

    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_item_sized_transactions", False):
        return

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        targets: set[tuple[str, str]] = set()
        planned: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []
        errors: list[Any] = []
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise MockValidationException("Unsupported transaction operation")
            table_name = op["TableName"]
            if op_type == "Put":
                table = self.get_table(table_name)
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            current = self.get_item(table_name, key)
            failed: Any = (None, None, None)
            if op.get("ConditionExpression") is not None:
                condition = get_filter_expression(
                    op["ConditionExpression"], op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not condition.expr(current):
                    old = None
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        old = current.to_json()["Attributes"]
                    failed = ("ConditionalCheckFailed", ConditionalCheckFailed(item=old).message, old)
            errors.append(failed)
            planned.append((op_type, op, table_name, key))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        written: list[tuple[str, dict[str, Any], Any]] = []
        try:
            for op_type, op, table_name, key in planned:
                if op_type == "ConditionCheck":
                    continue
                written.append((table_name, key, copy.deepcopy(self.get_item(table_name, key))))
                names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    self.put_item(
                        table_name, op["Item"], expression_attribute_names=names, expression_attribute_values=values
                    )
                elif op_type == "Delete":
                    self.delete_item(
                        table_name, key, expression_attribute_names=names, expression_attribute_values=values
                    )
                else:
                    self.update_item(
                        table_name,
                        key,
                        update_expression=op["UpdateExpression"],
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
        except Exception:
            for table_name, key, before in reversed(written):  # as it was, item by item
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before.to_json()["Attributes"])
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoDBBackend._item_sized_transactions = True  # type: ignore[attr-defined]
