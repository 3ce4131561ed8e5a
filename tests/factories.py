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
