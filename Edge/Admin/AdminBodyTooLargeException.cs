namespace Turnpike.Edge.Admin;

/// <summary>An admin request body went past <c>Turnpike:Admin:MaxBodySize</c>; the admin pipeline answers 413.</summary>
internal sealed class AdminBodyTooLargeException : IOException
{
    public AdminBodyTooLargeException()
        : base("Request body too large")
    {
    }

    public AdminBodyTooLargeException(string message)
        : base(message)
    {
    }

    public AdminBodyTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
