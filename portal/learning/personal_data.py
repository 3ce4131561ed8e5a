"""What the learning app holds about a person (points account, ledger, redemptions, quizzes),
and the effect of withdrawing the learning consent. Registered through the privacy hooks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.learning.models import LedgerEntry, PointsAccount, QuizAttempt, Redemption
from portal.privacy.registry import DataSection, ErasureRule, PersonalDataProvider


def _export(user) -> list[DataSection]:
    account = PointsAccount.objects.filter(user=user).select_related("subdistrict").first()
    accounts = (
        [
            {
                "nickname": account.nickname,
                "subdistrict": str(account.subdistrict or ""),
                "on_leaderboard": account.on_leaderboard,
                "created": account.created_at,
            }
        ]
        if account
        else []
    )
    ledger = [
        {
            "time": e.created_at,
            "points": e.amount,
            "reason": e.get_reason_display(),
            "note": e.note,
        }
        for e in LedgerEntry.objects.filter(user=user).order_by("created_at", "pk")
    ]
    redemptions = [
        {
            "redeemed": r.created_at,
            "reward": str(r.reward),
            "points": r.points,
            "pickup_code": r.code,
            "state": r.get_state_display(),
            "handled": r.decided_at,
        }
        for r in Redemption.objects.filter(user=user).select_related("reward").order_by("pk")
    ]
    quizzes = [
        {
            "date": q.date,
            "kind": q.get_kind_display(),
            "topic": str(q.topic or ""),
            "correct_answers": q.correct_count,
            "points_awarded": q.points_awarded,
            "finished": q.finished_at,
        }
        for q in QuizAttempt.objects.filter(user=user).select_related("topic").order_by("pk")
    ]
    return [
        DataSection("points_account", _("Points account"), accounts),
        DataSection("points_ledger", _("Points ledger"), ledger),
        DataSection("redemptions", _("Redemptions"), redemptions),
        DataSection("quiz_history", _("Quiz history"), quizzes),
    ]


def _erase(user) -> dict[str, int]:
    quizzes, _detail = QuizAttempt.objects.filter(user=user).delete()
    accounts, _detail = PointsAccount.objects.filter(user=user).delete()
    return {"learning.quizattempt": quizzes, "learning.pointsaccount": accounts}


def _rules() -> list[ErasureRule]:
    return [
        ErasureRule(
            str(_("Leaderboard nickname, sub-district and quiz history")),
            "erased",
            str(_("PIPL Art. 47")),
        ),
        ErasureRule(
            str(
                _(
                    "Points ledger and redemptions (amounts, dates, pickup codes; no name, phone "
                    "or email)"
                )
            ),
            "kept",
            str(_("Accounts of the rewards handed out (public funds); append-only ledger")),
        ),
    ]


def provider() -> PersonalDataProvider:
    return PersonalDataProvider(
        key="learning", export=_export, erase=_erase, rules=_rules, order=40
    )


def withdraw(user) -> None:
    """The learning consent withdrawn: off the leaderboard, nickname and quiz history deleted."""
    PointsAccount.objects.filter(user=user).update(nickname="", on_leaderboard=False)
    QuizAttempt.objects.filter(user=user).delete()
