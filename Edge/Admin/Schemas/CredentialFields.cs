using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>What every credential schema shares: the consumer it belongs to (required), Kong's shape when written, generated tokens.</summary>
internal static class CredentialFields
{
    public static readonly ConfigField<Guid?> Consumer = Field.Foreign("consumer", EntityKind.Consumer.TableName(), required: true);

    /// <summary>A string that, when given, is not empty (Kong's <c>len_min = 1</c>).</summary>
    public static ConfigField<string?> NonEmpty(ConfigField<string?> field) =>
        field.Check(value => value is { Length: 0 } ? "length must be at least 1" : null, "len_min", 1);

    /// <summary>The credential in Kong's shape: id, consumer, then its own <paramref name="fields"/>, then timestamps and tags.</summary>
    public static JsonObject Write(GatewayEntity credential, Guid consumerId, params (string Name, JsonNode? Value)[] fields)
    {
        var json = new JsonObject { ["id"] = credential.Id.ToString(), ["consumer"] = JsonFields.Reference(consumerId) };
        foreach (var (name, value) in fields)
        {
            json[name] = value;
        }

        JsonFields.WriteCommon(json, credential);
        return json;
    }

    /// <summary>A random key or secret, as Kong generates one when the client gives none (32 hex characters, 128 bits).</summary>
    public static string RandomToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
