namespace Turnpike.Edge.Admin.Authentication;

/// <summary>Why a request to the admin API was not authenticated (logged; the client is told only 401).</summary>
internal enum AdminAuthFailure
{
    None,

    /// <summary>No token in <c>Kong-Admin-Token</c> nor in <c>Authorization: Bearer</c>.</summary>
    Missing,

    /// <summary>Too long, a CR, LF or NUL, or a header given twice: refused without looking it up.</summary>
    Malformed,

    /// <summary>Both headers given, with different tokens.</summary>
    Conflicting,

    /// <summary>Well formed, but no admin's token, and not the bootstrap token.</summary>
    Unknown,
}
