using Turnpike.Edge.RateLimiting;
using Turnpike.Edge.Schema;
using Turnpike.RateLimiting;

namespace Turnpike.Edge.Plugins.RateLimiting;

/// <summary>
/// The fields every rate-limiting kind of plugin declares (rate-limiting, ai-rate-limiting): the limits per window,
/// what to count by, and what to answer. Each plugin names its own message and the <c>limit_by</c> choices it supports.
/// </summary>
internal sealed class RateLimitFields
{
    private readonly (RateLimitWindow Window, ConfigField<int?> Field)[] _windows;
    private readonly ConfigField<string> _limitBy;
    private readonly ConfigField<string?>? _headerName;
    private readonly ConfigField<string?>? _path;
    private readonly ConfigField<string> _policy = Field.OneOf("policy", QuotaPolicies.Names).Default("cluster");
    private readonly ConfigField<bool> _faultTolerant = Field.Boolean("fault_tolerant").Default(true);
    private readonly ConfigField<bool> _hideClientHeaders = Field.Boolean("hide_client_headers").Default(false);
    private readonly ConfigField<int> _errorCode = Field.Integer("error_code", 0, 999).Default(429);
    private readonly ConfigField<string> _errorMessage;

    public RateLimitFields(string defaultMessage, string[] limitByChoices)
    {
        _windows = [.. Enum.GetValues<RateLimitWindow>().Select(w => (w, Field.Integer(WindowName(w), 0, int.MaxValue).Check(limit => limit == 0 ? "value must be greater than 0" : null)))];
        _limitBy = Field.OneOf("limit_by", limitByChoices).Default("consumer");
        _headerName = limitByChoices.Contains("header") ? Field.HeaderName("header_name") : null;
        _path = limitByChoices.Contains("path") ? Field.String("path") : null;
        _errorMessage = Field.String("error_message").Default(defaultMessage);
        var windowNames = _windows.Select(w => w.Field.Name).ToArray();

        List<ConfigStep> steps = [.. _windows.Select(w => w.Field)];
        // Only when the windows read cleanly: a refused limit is reason enough.
        steps.Add(ConfigCheck.AtLeastOneOf((c, r) => Limits(c).Length == 0 && r.Errors.Count == 0, windowNames));
        steps.Add(new ConfigCheck((c, r) =>
        {
            // Kong: a longer window may not allow fewer than a shorter one.
            var limits = Limits(c);
            for (var i = 1; i < limits.Length; i++)
            {
                if (limits[i].Limit < limits[i - 1].Limit)
                {
                    r.Error("@entity", $"The limit for {WindowName(limits[i].Window)}({limits[i].Limit}.0) cannot be lower than the limit for {WindowName(limits[i - 1].Window)}({limits[i - 1].Limit}.0)");
                }
            }
        }));
        steps.Add(_limitBy);
        if (_headerName is { } headerName)
        {
            steps.Add(headerName);
        }

        if (_path is { } path)
        {
            steps.Add(path);
        }

        steps.Add(new ConfigCheck((c, r) =>
        {
            // Only a plugin offering the choice declares the field, so only it can be missing.
            if (_headerName is { } headerName && c.Get(_limitBy) == "header" && string.IsNullOrEmpty(c.Get(headerName)))
            {
                r.Error(headerName.Name, "required field missing");
            }

            if (_path is { } path && c.Get(_limitBy) == "path" && string.IsNullOrEmpty(c.Get(path)))
            {
                r.Error(path.Name, "required field missing");
            }
        }));
        steps.AddRange([_policy, _faultTolerant, _hideClientHeaders, _errorCode, _errorMessage]);
        Steps = [.. steps];
    }

    /// <summary>The fields and checks, in the order they are read (and stored).</summary>
    public ConfigStep[] Steps { get; }

    /// <summary>The options these fields make; the instance id is the handler's to fill.</summary>
    public RateLimitingOptions Bind(ConfigValues c) => new(
        Guid.Empty,
        Limits(c),
        c.Get(_limitBy),
        _headerName is null ? null : c.Get(_headerName),
        _path is null ? null : c.Get(_path),
        QuotaPolicies.Parse(c.Get(_policy)),
        c.Get(_faultTolerant),
        c.Get(_hideClientHeaders),
        c.Get(_errorCode),
        c.Get(_errorMessage));

    public static string WindowName(RateLimitWindow window) => window.ToString().ToLowerInvariant();

    private WindowLimit[] Limits(ConfigValues c) =>
        [.. _windows.Where(w => c.Get(w.Field) is not null).Select(w => new WindowLimit(w.Window, c.Get(w.Field)!.Value))];
}
