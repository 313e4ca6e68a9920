namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>What every aws-lambda instance shares for the process's life: signing keys, assumed roles, pooled clients, the environment's credentials.</summary>
internal sealed class AwsLambdaServices(AwsSignatureV4 signer, AwsStsCredentials sts, AwsHttpClients clients, AwsEnvironment environment, TimeProvider time)
{
    public AwsSignatureV4 Signer { get; } = signer;

    public AwsStsCredentials Sts { get; } = sts;

    public AwsHttpClients Clients { get; } = clients;

    public AwsEnvironment Environment { get; } = environment;

    public TimeProvider Time { get; } = time;
}
