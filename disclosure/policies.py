"""Who may do what with requests for disclosure (依申请公开): the request's permission policy.

A request carries the applicant's identity (name, ID number, contacts), so reading one and
processing it are the disclosure officers' (and administrators') by an explicit grant; superuser
status alone is not a role (portal.policies). The admin queue, the request page, the menu item
and the selectors ask ``request_policy``.
"""

from __future__ import annotations

from disclosure.models import DisclosureRequest
from portal.policies import ExplicitPermissionPolicy


class DisclosureRequestPolicy(ExplicitPermissionPolicy):
    permissions = {
        # The queue, the request page and every step of its workflow.
        "process": "disclosure.process_disclosurerequest",
        # The applicant's name, ID number and contacts.
        "view_identity": "disclosure.process_disclosurerequest",
        # The queue's CSV/XLSX export (no applicant identity in it).
        "export": "disclosure.process_disclosurerequest",
        # The applicant's full ID number: masked everywhere, shown only through a logged reveal
        # (portal.privacy.masking).
        "reveal_id_number": "disclosure.reveal_applicant_id",
    }


request_policy = DisclosureRequestPolicy(DisclosureRequest)

POLICIES = (request_policy,)
