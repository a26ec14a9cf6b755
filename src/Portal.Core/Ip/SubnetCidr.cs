using System.Net;

namespace Portal.Core.Ip;

/// <summary>
/// A subnet as the overlap rule sees it: its name (empty when it has none) and CIDR. A positional record, so a
/// service can read it straight from the database and the UI can make one from what it has already loaded.
/// </summary>
public sealed record SubnetCidr(string Name, IPNetwork Cidr);
