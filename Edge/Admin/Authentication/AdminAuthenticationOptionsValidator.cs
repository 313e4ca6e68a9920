using Microsoft.Extensions.Options;
using Turnpike.Edge.Hosting;

namespace Turnpike.Edge.Admin.Authentication;

/// <summary>
/// Checked at start: a bootstrap token must be one an admin could have, and an admin API reachable from other
/// machines must not start open. Without a token, an empty table means no authentication at all, and a
/// listener on 0.0.0.0 would hand the gateway to anyone on the network.
/// </summary>
internal sealed class AdminAuthenticationOptionsValidator(IOptions<EdgeOptions> edge) : IValidateOptions<AdminAuthenticationOptions>
{
    private const string UrlsKey = "Turnpike:Admin:Urls";

    public ValidateOptionsResult Validate(string? name, AdminAuthenticationOptions options)
    {
        if (!string.IsNullOrEmpty(options.Token))
        {
            return AdminToken.CheckNew(options.Token) is { } problem
                ? ValidateOptionsResult.Fail($"{AdminAuthenticationOptions.TokenKey} (or {AdminAuthenticationOptions.TokenVariable}): {problem}.")
                : ValidateOptionsResult.Success;
        }

        var exposed = ListenerUrls.Parse(edge.Value.Admin.Urls, UrlsKey).Select(e => e.EndPoint).Where(e => !System.Net.IPAddress.IsLoopback(e.Address)).ToList();
        return exposed.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{UrlsKey} listens on {string.Join(", ", exposed)}, which is not a loopback address, and no {AdminAuthenticationOptions.TokenKey} is set: "
                + $"the admin API would be open to the network. Set {AdminAuthenticationOptions.TokenKey} (or {AdminAuthenticationOptions.TokenVariable}) "
                + "to a bootstrap super-admin token, or listen on 127.0.0.1 only.");
    }
}
