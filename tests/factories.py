"""Factories shared by every app's tests, with personas for the negative cases."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from portal.models import Department, DepartmentMembership, Subdistrict

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and self.email:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
        if create:
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sd{n}")
    name = factory.Sequence(lambda n: f"测试街道{n}")
    kind = Subdistrict.Kind.SUBDISTRICT


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")


def member_of(user, department, *, is_lead=False):
    return DepartmentMembership.objects.create(user=user, department=department, is_lead=is_lead)


# --- Personas -------------------------------------------------------------------------------
# One definition of who is who, used by tests/conftest.py's fixtures and by module-scoped data
# (the persona matrix). The administrator is also a superuser, as in the demo data (portal.demo):
# superuser status alone must grant no identity, evidence, intake, handler, analyst or
# disclosure-officer action, so tests that use it prove that rule too.
PERSONA_NAMES = (
    "anonymous",
    "resident",
    "editor",
    "disclosure_officer",
    "intake",
    "handler_a",
    "handler_b",
    "analyst",
    "administrator",
    "enterprise",
)
# Signed-in personas without admin access: a resident and an enterprise discloser (scoped to
# the enterprise ENTERPRISE_CODE, needs TOTP like staff but has no admin access).
NON_STAFF_PERSONAS = frozenset({"anonymous", "resident", "enterprise"})
STAFF_PERSONAS = frozenset(PERSONA_NAMES) - NON_STAFF_PERSONAS
ENTERPRISE_CODE = "91510402MA699001XT"
OTHER_ENTERPRISE_CODE = "91510402MA699002XU"


def persona_departments():
    """Department A (handler_a's) and department B (handler_b's)."""
    dept_a = DepartmentFactory(code="dept-a", name="甲局")
    dept_b = DepartmentFactory(code="dept-b", name="乙局")
    return dept_a, dept_b


def persona_enterprises():
    """The enterprise persona's own enterprise and another one (valid credit codes)."""
    from enterprises.models import Enterprise

    rows = []
    for code, name in (
        (ENTERPRISE_CODE, "示例·甲钢铁公司"),
        (OTHER_ENTERPRISE_CODE, "示例·乙化工公司"),
    ):
        rows.append(
            Enterprise.objects.get_or_create(
                credit_code=code,
                defaults={
                    "name": name,
                    "industry": "steel",
                    "listed_from": 2022,
                    "is_key_polluter": True,
                },
            )[0]
        )
    return tuple(rows)


def create_persona(name: str):
    """The user of persona ``name`` (None for anonymous); idempotent by username."""
    from portal import roles

    if name == "anonymous":
        return None
    if name == "enterprise":
        from enterprises.models import EnterpriseAccount

        user = UserFactory(username=name, roles=[roles.ENTERPRISE_FILER])
        own, _other = persona_enterprises()
        EnterpriseAccount.objects.get_or_create(user=user, enterprise=own)
        return user
    role = {
        "resident": None,
        "editor": roles.EDITOR,
        "disclosure_officer": roles.DISCLOSURE_OFFICER,
        "intake": roles.INTAKE_OFFICER,
        "handler_a": roles.DEPARTMENT_HANDLER,
        "handler_b": roles.DEPARTMENT_HANDLER,
        "analyst": roles.ANALYST,
        "administrator": roles.ADMINISTRATOR,
    }[name]
    user = UserFactory(username=name, roles=[role] if role else [])
    if name == "administrator" and not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    if name in ("handler_a", "handler_b"):
        dept_a, dept_b = persona_departments()
        department = dept_a if name == "handler_a" else dept_b
        DepartmentMembership.objects.get_or_create(user=user, department=department)
    return user


def create_personas() -> dict:
    return {name: create_persona(name) for name in PERSONA_NAMES}
