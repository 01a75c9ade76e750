package dev.distillery.cli;

import dev.distillery.distill.DistillJob;
import dev.distillery.distill.DistillSpec;
import dev.distillery.model.ModelSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Distill a trained teacher into a compact student and compare them side by side.",
                "The teacher's outputs over the transfer set are computed once and cached; the transfer set may be unlabeled.",
                "Loss = alpha * CE(labels) + (1 - alpha) * T^2 * KL(teacher_T || student_T); unlabeled examples get the KL term only."},
        footer = {"", "Examples:",
                "  distillery train --data fashion-mnist --test fashion-mnist:test --model cnn --width 64   # the teacher",
                "  distillery distill --teacher <run> --student cnn --width 8 --transfer fashion-mnist --test fashion-mnist:test",
                "  distillery distill --teacher <run> --student cnn --width 10 --transfer fashion-mnist --test fashion-mnist:test \\",
                "      --teacher-views 60000 --labels-only   # + teacher-labeled views",
                "  distillery train --data spamassassin --model minilm --labeled 100                       # MiniLM teacher",
                "  distillery distill --teacher <run> --student ngram --transfer spamassassin --labeled 100 --test <file> --sweep 4,8,16"})
final class DistillCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher", required = true, paramLabel = "RUN", description = "The teacher: a run id (or prefix) or a model directory.")
    String teacher;

    @Option(names = "--student", required = true, paramLabel = "TYPE", description = "Student architecture: cnn, mlp, ngram or minilm.")
    String student;

    @Option(names = "--width", paramLabel = "N", description = "Student size knob (see 'train --help').")
    Integer width;

    @Option(names = "--dropout", paramLabel = "RATE",
            description = "Student dropout rate (cnn and mlp). Default: the student's own (cnn 0.3, mlp 0.2).")
    Float dropout;

    @Option(names = "--transfer", required = true, paramLabel = "DATA", description = "Transfer set (labels optional).")
    String transfer;

    @Option(names = "--test", required = true, paramLabel = "DATA", description = "Labeled test data.")
    String test;

    @Option(names = "--labeled", paramLabel = "AMOUNT",
            description = "Keep only this many transfer labels (100, 1%%); 0 for none. Default: all.")
    String labeled;

    @Option(names = "--alpha", defaultValue = "0.5", paramLabel = "A", description = "Weight of the hard-label term. Default: ${DEFAULT-VALUE}.")
    float alpha;

    @Option(names = "--temperature", defaultValue = "4", paramLabel = "T", description = "Softmax temperature. Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--sweep", split = ",", paramLabel = "W", description = "Train one student per width, e.g. 4,8,16, and plot accuracy against parameters.")
    List<Integer> sweep;

    @Option(names = "--labels-only", description = "Also train each student on the labels alone, for comparison.")
    boolean labelsOnly;

    @Option(names = "--teacher-views", defaultValue = "0", paramLabel = "N",
            description = {"Images only: add N unlabeled views of the transfer images (shifted, flipped, rotated or elastically " +
                            "distorted; half of them mixed with a second image of any class) for the student to learn the " +
                            "teacher's outputs on. Labels-only students never see them; they train proportionally more epochs " +
                            "instead, so both take the same optimizer steps. Default: ${DEFAULT-VALUE}."})
    int teacherViews;

    @Mixin
    ColumnOptions columns;

    @Mixin
    OptimizerOptions optimizer;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        ModelSpec studentSpec = ModelSpec.defaults(student);
        if (width != null) {
            studentSpec = studentSpec.withWidth(width);
        }
        studentSpec = TrainOptions.withDropout(studentSpec, dropout, "--student");
        DistillSpec distill = new DistillSpec(teacher, studentSpec, transfer, test, labeled, alpha, temperature, sweep,
                labelsOnly, teacherViews, optimizer.trainConfig(), optimizer.onError.policy);
        DistillJob job = new DistillJob(columns.applyTo(ctx.catalog()), ctx.runs(), ctx.home().root().resolve("cache").resolve("teacher-outputs"),
                new ConsoleProgress(System.out));
        DistillJob.Outcome o = job.run(distill, ModelRef.resolve(ctx, teacher),
                List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
        System.out.println();
        System.out.print(DistillJob.table(o));
        System.out.println();
        System.out.println("run saved to " + o.run().dir());
        System.out.println("  summary: " + o.run().dir().resolve("summary.md") + "   plot: "
                + o.run().plotsDir().resolve("accuracy-vs-parameters.png"));
        return 0;
    }
}
