"""factory-boy factories (with Faker) for the example server's test data.

* ``UserFactory`` builds an :class:`~example_server.service.Identity` (a subject e-mail and scopes);
  traits ``reader`` and ``admin`` change the scopes.
* ``AssignmentArgsFactory`` builds ``create_assignment`` arguments as a dict (the shape a tool
  call and a ``bulk_create_assignments`` item take). Titles carry a sequence number, so a batch
  never trips the (assignee, title) uniqueness rule by accident.
* ``NewAssignmentFactory`` builds the validated :class:`~example_server.models.NewAssignment` the
  store takes.

The conftest reseeds factory-boy's random generator (and so Faker's) once per session, so the
data is the same on every run.
"""

from __future__ import annotations

import re

import factory

from example_server.models import NewAssignment
from example_server.service import ADMIN, READ, WRITE, Identity


def _local_part(name: str) -> str:
    """An ASCII e-mail local part from a Faker name (the server's e-mail rule is strict ASCII)."""
    return re.sub(r"[^a-z]", "", name.lower()) or "user"


class UserFactory(factory.Factory):
    class Meta:
        model = Identity

    class Params:
        first_name = factory.Faker("first_name")
        reader = factory.Trait(scopes=frozenset({READ}))
        admin = factory.Trait(scopes=frozenset({READ, WRITE, ADMIN}))

    subject = factory.LazyAttributeSequence(lambda o, n: f"{_local_part(o.first_name)}.{n}@example.com")
    scopes = frozenset({READ, WRITE})


class AssignmentArgsFactory(factory.DictFactory):
    title = factory.LazyAttributeSequence(lambda o, n: f"{o.summary} #{n}")
    assignee = factory.LazyAttribute(lambda o: f"{_local_part(o.person)}@{o.domain}")
    priority = factory.Faker("random_int", min=1, max=5)
    due_date = factory.LazyAttribute(lambda o: o.due.isoformat() if o.due else None)

    class Params:
        summary = factory.Faker("sentence", nb_words=4, variable_nb_words=True)
        person = factory.Faker("first_name")
        domain = factory.Faker("domain_name")
        due = factory.Maybe(
            factory.Faker("boolean", chance_of_getting_true=60),
            yes_declaration=factory.Faker("date_between", start_date="-30d", end_date="+1y"),
            no_declaration=None,
        )


class NewAssignmentFactory(factory.Factory):
    class Meta:
        model = NewAssignment

    title = factory.Sequence(lambda n: f"task {n}")
    assignee = factory.LazyFunction(lambda: AssignmentArgsFactory()["assignee"])
    priority = factory.Faker("random_int", min=1, max=5)
    due_date = None
