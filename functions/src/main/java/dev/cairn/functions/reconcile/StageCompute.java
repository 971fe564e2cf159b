package dev.cairn.functions.reconcile;

/**
 * Where a stage's build runs. CodeBuild's start-up dominates short stages: Lambda compute starts
 * in seconds but stops at 15 minutes, so it is the default; a stage that can outlast that (EKS
 * cluster creation, 10-20 minutes on its own) runs on EC2 compute.
 *
 * @param computeType     CodeBuild {@code computeTypeOverride}
 * @param environmentType CodeBuild {@code environmentTypeOverride}
 * @param image           CodeBuild {@code imageOverride} (Lambda compute needs a Lambda image)
 */
public record StageCompute(String computeType, String environmentType, String image) {
    public static final StageCompute LAMBDA = new StageCompute("BUILD_LAMBDA_2GB", "LINUX_LAMBDA_CONTAINER",
            "aws/codebuild/amazonlinux-x86_64-lambda-standard:corretto21");
    public static final StageCompute EC2 = new StageCompute("BUILD_GENERAL1_MEDIUM", "LINUX_CONTAINER",
            "aws/codebuild/amazonlinux-x86_64-standard:5.0");

    /**
     * The run's plan-ahead build (the PlanAhead state): Lambda compute, as it only plans (no EKS
     * creation), and its start-up is what a no-change run pays.
     */
    public static final StageCompute PLAN_AHEAD = LAMBDA;

    /** EC2 for the built-in {@code kubernetes} stage (EKS creation), Lambda compute for every other. */
    public static StageCompute forStage(String stage) {
        return "kubernetes".equals(stage) ? EC2 : LAMBDA;
    }
}
