using Turnpike.Edge.Consumers;

namespace Turnpike.Edge.Proxy;

/// <summary>Who the request is from: what the auth plugins established.</summary>
internal sealed partial class ProxyContext
{
    /// <summary>The consumers and credentials of the snapshot this request was matched in.</summary>
    public ConsumerDirectory Consumers { get; } = consumers;

    /// <summary>Who the request is from, once an auth plugin has identified it (Kong's authenticated consumer).</summary>
    public ConsumerEntity? Consumer { get; private set; }

    /// <summary>The credential that identified <see cref="Consumer"/>; null for the anonymous consumer.</summary>
    public Guid? CredentialId { get; private set; }

    /// <summary>What <c>X-Credential-Identifier</c> tells the upstream: the credential's id, key or username, as each Kong plugin chooses.</summary>
    public string? CredentialIdentifier { get; private set; }

    public bool IsAnonymous { get; private set; }

    public void Authenticate(ConsumerEntity consumer, Guid credentialId, string credentialIdentifier)
    {
        Consumer = consumer;
        CredentialId = credentialId;
        CredentialIdentifier = credentialIdentifier;
        IsAnonymous = false;
    }

    public void AuthenticateAnonymous(ConsumerEntity consumer)
    {
        Consumer = consumer;
        CredentialId = null;
        CredentialIdentifier = null;
        IsAnonymous = true;
    }
}
