# Python loads this module at start-up when its folder is on PYTHONPATH, which tests/tempest/run sets for the
# tempest run only. Tempest's subnets client sleeps 10 s before every subnet deletion, to give Neutron's agents
# time to tear down the subnet's ports; Portal deletes them in the deletion's own transaction, so the sleep only
# makes the run minutes longer. It is the one wait of tempest that is not configurable.
import os

if os.environ.get("PORTAL_TEMPEST_SKIP_SUBNET_DELETE_SLEEP") == "1":
    import types

    try:
        from tempest.lib.services.network import subnets_client as _subnets
    except ImportError:
        pass
    else:
        _subnets.time = types.SimpleNamespace(sleep=lambda seconds: None)
