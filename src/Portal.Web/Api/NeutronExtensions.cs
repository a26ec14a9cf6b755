namespace Portal.Web.Api;

/// <summary>
/// The Neutron API extensions Portal implements, and only those: clients and test suites (tempest) turn features on by
/// what <c>GET /v2.0/extensions</c> lists, so an alias here is a promise that its behaviour works.
/// </summary>
public static class NeutronExtensions
{
    private const string Updated = "2026-12-04T00:00:00-00:00";

    public static readonly IReadOnlyList<NeutronExtension> All =
    [
        Extension("allowed-address-pairs", "Allowed Address Pairs", "Up to 10 addresses or CIDRs (with a MAC) that may send from a port besides its own; they need port security."),
        Extension("external-net", "Neutron external network", "Adds the router:external attribute to networks (filterable)."),
        Extension("extra_dhcp_opt", "Neutron Extra DHCP options", "Up to 32 extra DHCP options per port, merged by name and IP version on update."),
        Extension("fields", "Fields query parameter", "fields=… answers each resource with only the attributes asked for."),
        Extension("filter-validation", "Filter parameters validation", "A list filter that is not an attribute of the resource is refused (400), not ignored."),
        Extension("ip-substring-filtering", "IP address substring filtering", "fixed_ips=ip_address_substr=… lists the ports with an address containing the text."),
        Extension("net-mtu", "Network MTU", "Adds the mtu attribute to networks."),
        Extension("net-mtu-writable", "Network MTU (writable)", "The mtu of a network can be set when it is created and changed later (68–9000)."),
        Extension("network-ip-availability", "Network IP Availability", "Addresses in use and in total per network and subnet."),
        Extension("pagination", "Pagination support", "limit and marker, with the {collection}_links next link."),
        Extension("port-security", "Port Security", "port_security_enabled on networks (the default of their ports) and on ports."),
        Extension("project-id", "project_id field enabled", "Resources carry project_id beside tenant_id."),
        Extension("sorting", "Sorting support", "sort_key / sort_dir on any attribute of a list, in pairs; the id breaks ties."),
        Extension("standard-attr-description", "Standard attribute description", "Networks, subnets and ports carry a description (at most 1,024 characters)."),
        Extension("standard-attr-timestamp", "Resource timestamps", "created_at and updated_at on networks, subnets and ports, and the changed_since filter."),
        Extension("tag", "Tag support", "Tags on networks (standard-attr-tag has them on subnets and ports too)."),
        Extension("standard-attr-tag", "Tag support for resources with standard attributes", "Tags on networks, subnets and ports (at most 64 each), with the tags API and the tags, tags-any, not-tags and not-tags-any filters."),
        Extension("standard-attr-revisions", "Resource revision numbers", "revision_number counts every change; If-Match: revision_number=N guards an update."),
    ];

    public static NeutronExtension? Find(string alias) => All.FirstOrDefault(e => e.Alias == alias);

    private static NeutronExtension Extension(string alias, string name, string description) => new(name, alias, description, Updated, []);
}
