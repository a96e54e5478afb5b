"""Parse expression text into the typed tree (``rules.ast``) with lark; no eval, no Python names."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import lark

from risk_warning.rules import ast

# Limits on one expression (docs/rule-language.md, "Encodings and limits"): far above any real rule, low
# enough that the parser, the checks and the compiler (recursive over the tree) cannot be driven deep.
MAX_EXPRESSION_CHARS = 4_000
MAX_BRACKET_DEPTH = 16  # ( and [ inside one another
MAX_TREE_DEPTH = 48  # operators applied to operators: a + b + c + ... is as deep as it has terms
MAX_NUMBER = 10**12  # the magnitude of a number literal (and of a number param)
MAX_LIST_ITEMS = 1_000  # items of a list literal (and of a list param)
DATE_RANGE = (date(1900, 1, 1), date(2200, 12, 31))  # dates a rule may name or compute


class ExpressionSyntaxError(ValueError):
    """Bad expression text, with the 0-based offset of the problem and a hint."""

    def __init__(self, message: str, offset: int, hint: str = "") -> None:
        super().__init__(message)
        self.offset = offset
        self.hint = hint


@cache
def _parser() -> lark.Lark:
    grammar = resources.files("risk_warning.rules").joinpath("expression.lark").read_text("utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _pos(meta_or_token: Any) -> int:
    return int(getattr(meta_or_token, "start_pos", 0) or 0)


@lark.v_args(meta=True)
class _ToAst(lark.Transformer[Any, ast.Expr]):
    def or_(self, meta: Any, items: list[ast.Expr]) -> ast.Expr:
        return items[0] if len(items) == 1 else ast.Or(tuple(items), pos=_pos(meta))

    def and_(self, meta: Any, items: list[ast.Expr]) -> ast.Expr:
        return items[0] if len(items) == 1 else ast.And(tuple(items), pos=_pos(meta))

    def not_(self, meta: Any, items: list[ast.Expr]) -> ast.Expr:
        return ast.Not(items[0], pos=_pos(meta))

    def compare(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.Compare(str(items[1]), items[0], items[2], pos=_pos(meta))

    def is_null(self, meta: Any, items: list[ast.Expr]) -> ast.Expr:
        return ast.IsNull(items[0], pos=_pos(meta))

    def is_not_null(self, meta: Any, items: list[ast.Expr]) -> ast.Expr:
        return ast.IsNull(items[0], negated=True, pos=_pos(meta))

    def in_(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.In(items[0], _listed(items[1]), pos=_pos(meta))

    def not_in(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.In(items[0], _listed(items[1]), negated=True, pos=_pos(meta))

    def arith(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.Arith(str(items[1]), items[0], items[2], pos=_pos(meta))

    def neg(self, meta: Any, items: list[ast.Expr]) -> ast.Expr:
        return ast.Neg(items[0], pos=_pos(meta))

    def number(self, meta: Any, items: list[lark.Token]) -> ast.Expr:
        text = str(items[0])
        value = float(text) if "." in text else int(text)
        if abs(value) > MAX_NUMBER:
            raise ExpressionSyntaxError(f"the number {text[:20]} is over {MAX_NUMBER:,} (the limit)", _pos(meta),
                                        "no rule needs a larger amount or count")  # fmt: skip
        return ast.Literal(value, pos=_pos(meta))

    def string(self, meta: Any, items: list[lark.Token]) -> ast.Expr:
        return ast.Literal(str(items[0])[1:-1], pos=_pos(meta))

    def date(self, meta: Any, items: list[lark.Token]) -> ast.Expr:
        try:
            day = date.fromisoformat(str(items[0]))
        except ValueError as exc:
            raise ExpressionSyntaxError(f"invalid date {items[0]}: {exc}", _pos(meta)) from None
        if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
            span = f"{DATE_RANGE[0]} .. {DATE_RANGE[1]}"
            raise ExpressionSyntaxError(f"the date {items[0]} is outside {span} (the limit)", _pos(meta))
        return ast.Literal(day, pos=_pos(meta))

    def true(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.Literal(True, pos=_pos(meta))

    def false(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.Literal(False, pos=_pos(meta))

    def null(self, meta: Any, items: list[Any]) -> ast.Expr:
        return ast.Literal(None, pos=_pos(meta))

    def call(self, meta: Any, items: list[Any]) -> ast.Expr:
        args = tuple(a for a in items[1:] if a is not None)
        return ast.Call(str(items[0]), args, pos=_pos(meta))

    def path(self, meta: Any, items: list[lark.Token]) -> ast.Expr:
        return ast.Path(tuple(str(t) for t in items), pos=_pos(meta))

    def list(self, meta: Any, items: list[Any]) -> ast.Expr:
        kept = tuple(i for i in items if i is not None)
        if len(kept) > MAX_LIST_ITEMS:
            raise ExpressionSyntaxError(f"a list of {len(kept):,} items; the limit is {MAX_LIST_ITEMS:,}", _pos(meta),
                                        "put long lists in a list param, or a fact type")  # fmt: skip
        return ast.ListExpr(kept, pos=_pos(meta))


def _listed(items: ast.Expr) -> ast.ListExpr:
    """``x in params.venues`` is ``x in [params.venues]``: a list param's items are spliced into the list
    where constants are folded (rules/normal_form.fold)."""
    return items if isinstance(items, ast.ListExpr) else ast.ListExpr((items,), pos=items.pos)


_FRIENDLY = {
    "COMP_OP": "a comparison (== != < <= > >=)",
    "NAME": "a value (a field, number, quoted string or date)",
    "NUMBER": "a value (a field, number, quoted string or date)",
    "STRING": "a value (a field, number, quoted string or date)",
    "DATE": "a value (a field, number, quoted string or date)",
    "_AND": "'and'",
    "_OR": "'or'",
    "_IS": "'is'",
    "_IN": "'in'",
    "RPAR": "')'",
    "RSQB": "']'",
    "COMMA": "','",
}


def parse_expression(text: str) -> ast.Expr:
    """Parse ``text``; raise ExpressionSyntaxError with the offset of the first problem."""
    stripped = text.strip()
    if not stripped:
        raise ExpressionSyntaxError("empty expression", 0, "write a condition such as `amount > 1000`")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionSyntaxError(f"the expression is over {MAX_EXPRESSION_CHARS:,} characters (the limit)",
                                    MAX_EXPRESSION_CHARS, "split it into several rules or an indicator")  # fmt: skip
    _check_brackets(text)
    for bad, good in (("=<", "<="), ("=>", ">="), ("&&", "and"), ("||", "or"), ("<>", "!=")):
        at = text.find(bad)
        if at >= 0:
            raise ExpressionSyntaxError(f"unknown operator '{bad}'", at, f"did you mean '{good}'?")
    try:
        tree = _parser().parse(text)
        _check_depth(tree)
        return _ToAst().transform(tree)
    except lark.exceptions.VisitError as exc:
        if isinstance(exc.orig_exc, ExpressionSyntaxError):
            raise exc.orig_exc from None
        raise
    except lark.exceptions.UnexpectedCharacters as exc:
        at = exc.pos_in_stream or 0
        hint = "use == for equality" if text[at : at + 1] == "=" else ""
        raise ExpressionSyntaxError(f"unexpected character {text[at]!r}", at, hint) from None
    except lark.exceptions.UnexpectedToken as exc:
        expected = sorted({_FRIENDLY[e] for e in exc.expected if e in _FRIENDLY})
        at_end = exc.token.type == "$END"
        got = "end of expression" if at_end else repr(str(exc.token))
        at = len(text.rstrip()) if at_end or exc.token.start_pos is None else exc.token.start_pos
        raise ExpressionSyntaxError(
            f"unexpected {got}", int(at), "expected " + " or ".join(expected) if expected else ""
        ) from None
    except lark.exceptions.UnexpectedEOF as exc:
        raise ExpressionSyntaxError("the expression ends too early", len(text), str(exc.expected)) from None


def _check_brackets(text: str) -> None:
    """Brackets nested deeper than MAX_BRACKET_DEPTH, outside quoted strings: refused at the one that passes."""
    depth, quote = 0, ""
    for at, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                raise ExpressionSyntaxError(f"brackets nested more than {MAX_BRACKET_DEPTH} deep (the limit)", at,
                                            "name the inner parts in an indicator, or split the rule")  # fmt: skip
        elif ch in ")]":
            depth -= 1


def _check_depth(tree: lark.Tree[Any]) -> None:
    """The parse tree's depth, found without recursion (the transformer that follows recurses)."""
    todo: list[tuple[lark.Tree[Any], int]] = [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        children = [c for c in node.children if isinstance(c, lark.Tree)]
        if depth > MAX_TREE_DEPTH:
            at = _pos(node.meta) if not node.meta.empty else 0
            raise ExpressionSyntaxError(f"the expression is nested more than {MAX_TREE_DEPTH} operators deep "
                                        "(the limit)", at, "split it into several rules or an indicator")  # fmt: skip
        todo.extend((c, depth + 1) for c in children)
