package dev.cairn.reconciler.manifest;

import java.util.List;
import java.util.Map;

/** The private network: a VPC with public, private and database subnets, or an existing one reused. */
public record NetworkSpec(Boolean enabled, String source, String version, Map<String, Object> inputs,
                          Boolean create, String cidr, List<String> azs, String natGateway,
                          List<String> interfaceEndpoints, String vpcId, List<String> publicSubnetIds,
                          List<String> privateSubnetIds, List<String> databaseSubnetIds)
        implements StageSection {
}
