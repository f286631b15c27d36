"""Seeds a moto server with what the AWS stacks look up at plan time, using boto3 (from moto's virtualenv).

    python moto_seed.py ENDPOINT REGION SPEC_JSON

SPEC_JSON: [{"env": "pilot", "cidr": "10.1.0.0/16", "private_subnets": true}, ...]. For each entry a VPC tagged
Environment=<env> (the stacks' default VPC tag), and, when private_subnets is true, one subnet tagged Tier=private in
each of <region>a, b and c (the default subnet tag and zones of config/deployment.ts), plus one untagged public
subnet that the lookup must not pick. When false, only the public subnet: the "no matching subnets" case.
Prints a JSON object {env: {"vpc_id": ..., "private_subnet_ids": [...], "public_subnet_id": ...}}.
"""
import ipaddress
import json
import sys

import boto3


def main() -> None:
    endpoint, region, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    out = {}
    for entry in spec:
        env = entry["env"]
        net = ipaddress.ip_network(entry["cidr"])
        subnets = list(net.subnets(new_prefix=24))
        vpc_id = ec2.create_vpc(
            CidrBlock=str(net),
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Environment", "Value": env}, {"Key": "Name", "Value": f"isl-{env}"}]}],
        )["Vpc"]["VpcId"]
        private = []
        if entry.get("private_subnets", True):
            for i, zone in enumerate(("a", "b", "c")):
                private.append(
                    ec2.create_subnet(
                        VpcId=vpc_id,
                        CidrBlock=str(subnets[i]),
                        AvailabilityZone=f"{region}{zone}",
                        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": "private"}, {"Key": "Name", "Value": f"isl-{env}-private-{zone}"}]}],
                    )["Subnet"]["SubnetId"]
                )
        public = ec2.create_subnet(
            VpcId=vpc_id,
            CidrBlock=str(subnets[10]),
            AvailabilityZone=f"{region}a",
            TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": "public"}]}],
        )["Subnet"]["SubnetId"]
        out[env] = {"vpc_id": vpc_id, "private_subnet_ids": private, "public_subnet_id": public}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
