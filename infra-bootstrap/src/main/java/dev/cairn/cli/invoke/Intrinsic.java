package dev.cairn.cli.invoke;

import dev.cairn.reconciler.diag.Location;

/**
 * A CloudFormation intrinsic function as written in a template, in its long name ({@code Ref},
 * {@code Fn::GetAtt}, {@code Fn::Sub}, ...) whichever form was used ({@code !Ref X} or
 * {@code {Ref: X}}), with where it stands so that a problem with it points at the line.
 * A short-form {@code !GetAtt A.B} is kept as the list {@code [A, B]}, as in the long form.
 */
public record Intrinsic(String name, Object argument, Location at) {
}
