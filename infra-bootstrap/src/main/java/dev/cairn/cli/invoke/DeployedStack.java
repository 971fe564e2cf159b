package dev.cairn.cli.invoke;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resources of a deployed CloudFormation stack, as {@code DescribeStackResources} lists them,
 * with the partition, region and account read from the stack's own ARN (no STS call needed) and
 * the parameter values the stack was deployed with.
 */
public record DeployedStack(String name, String partition, String region, String accountId,
                            Map<String, String> parameters, Map<String, Resource> resources) {

    /** One created resource: its CloudFormation type and physical id. */
    public record Resource(String type, String physicalId) {
    }

    /** Thrown when the stack cannot be read; the message names the stack and the cause, no secrets. */
    public static final class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Reads the stack with the SDK's default region, credentials and endpoint (AWS_ENDPOINT_URL for an emulator). */
    public static DeployedStack describe(String stackName) {
        try (var cloudFormation = CloudFormationClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            return describe(cloudFormation, stackName);
        } catch (SdkClientException e) {
            throw new UnavailableException("cannot reach CloudFormation for stack `" + stackName + "`: " + e.getMessage(), e);
        }
    }

    public static DeployedStack describe(CloudFormationClient cloudFormation, String stackName) {
        try {
            var stack = cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().getFirst();
            // arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID
            var arn = stack.stackId().split(":", 6);
            var resources = new LinkedHashMap<String, Resource>();
            for (var r : cloudFormation.describeStackResources(q -> q.stackName(stackName)).stackResources()) {
                // an emulator lists a resource type it skipped as an entry without a logical id
                if (r.logicalResourceId() == null || r.logicalResourceId().isEmpty()) continue;
                if (r.physicalResourceId() == null || r.physicalResourceId().isEmpty()) continue;
                resources.put(r.logicalResourceId(), new Resource(r.resourceType(), r.physicalResourceId()));
            }
            var parameters = new LinkedHashMap<String, String>();
            stack.parameters().forEach(p -> {
                if (p.parameterValue() != null) parameters.put(p.parameterKey(), p.parameterValue());
            });
            return new DeployedStack(stack.stackName(), arn[1], arn[3], arn[4], Map.copyOf(parameters), Map.copyOf(resources));
        } catch (CloudFormationException e) {
            var detail = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            throw new UnavailableException("cannot read stack `" + stackName + "`: " + detail, e);
        }
    }
}
