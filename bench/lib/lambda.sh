# Shared by the cold-start benches: the lambda-cold-start tool, a function's production jar and
# the runtime interface client that the managed java21 runtime supplies in AWS.
# Usage: lambda_bench_prepare BENCH_NAME MODULE JAR_NAME  (sets TOOL, JAR, RIC, SER; needs ROOT)
lambda_bench_prepare() {
  local name=$1 module=$2 jar=$3
  TOOL="${LAMBDA_COLD_START:-$ROOT/../shared/tools/lambda-cold-start}"
  [ -f "$TOOL" ] || { echo "$name: set LAMBDA_COLD_START to the lambda-cold-start tool" >&2; exit 1; }
  JAR="$ROOT/$module/target/$jar"
  [ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -pl "$module" -am package -DskipTests)
  local ric_version=2.10.1 ser_version=1.2.0
  local m2="${MAVEN_REPO:-$HOME/.m2/repository}"
  RIC="$m2/com/amazonaws/aws-lambda-java-runtime-interface-client/$ric_version/aws-lambda-java-runtime-interface-client-$ric_version.jar"
  SER="$m2/com/amazonaws/aws-lambda-java-serialization/$ser_version/aws-lambda-java-serialization-$ser_version.jar"
  [ -f "$RIC" ] || (cd "$ROOT" && ./mvnw -B -q dependency:get -Dartifact=com.amazonaws:aws-lambda-java-runtime-interface-client:$ric_version)
}
