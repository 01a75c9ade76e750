package dev.distillery.cli;

import dev.distillery.data.OnError;
import dev.distillery.data.sources.FashionMnist;
import dev.distillery.distill.DistillJob;
import dev.distillery.distill.DistillSpec;
import dev.distillery.distill.ModelReport;
import dev.distillery.model.CnnSpec;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The whole job on real data, embedded: fetch Fashion-MNIST (verified), train the default CNN as a " +
                        "teacher, distill it into a student with about 6%% of its parameters, and compare the two on the " +
                        "10,000 test images.",
                "About 5 minutes on 2 CPU cores."})
final class QuickstartCommand implements Callable<Integer> {
    static final int STUDENT_WIDTH = 8;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4", description = "Teacher training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--student-epochs", paramLabel = "N", defaultValue = "3",
            description = "Student distillation epochs. Default: ${DEFAULT-VALUE}.")
    int studentEpochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        ConsoleProgress progress = new ConsoleProgress(System.out);
        System.out.println("Distillery quickstart: Fashion-MNIST, seed " + seed);
        var fashion = ctx.catalog().require(FashionMnist.NAME);
        var report = fashion.fetch(System.out::println);
        System.out.println("data: " + report.origin() + (report.fromCache() ? " (verified cached copy)" : ""));

        System.out.println("\n[1/2] teacher: the default CNN, " + epochs + " epochs");
        TrainSpec teacherSpec = new TrainSpec(FashionMnist.NAME + ":train", FashionMnist.NAME + ":test", 0, 0.1, null,
                CnnSpec.DEFAULT, TrainConfig.defaults().withEpochs(epochs).withSeed(seed), OnError.FAIL);
        TrainJob.Outcome teacher = new TrainJob(ctx.catalog(), ctx.runs(), progress).run(teacherSpec, "quickstart",
                List.of("--epochs", Integer.toString(epochs), "--seed", Long.toString(seed)));
        Printing.outcome(System.out, teacher);

        System.out.println("\n[2/2] student: the same CNN at width " + STUDENT_WIDTH + ", distilled from the teacher, "
                + studentEpochs + " epochs");
        DistillSpec distill = new DistillSpec(teacher.run().id(), CnnSpec.DEFAULT.withWidth(STUDENT_WIDTH),
                FashionMnist.NAME + ":train", FashionMnist.NAME + ":test", null, 0.5f, 4f, List.of(), false, 0,
                TrainConfig.defaults().withEpochs(studentEpochs).withSeed(seed), OnError.FAIL);
        DistillJob.Outcome o = new DistillJob(ctx.catalog(), ctx.runs(),
                ctx.home().root().resolve("cache").resolve("teacher-outputs"), progress)
                .run(distill, teacher.run().modelDir(), List.of("quickstart"));
        System.out.println();
        System.out.print(DistillJob.table(o));
        ModelReport s = o.students().get(0);
        System.out.printf("%nThe student keeps %.1f%% of the teacher's accuracy with %.1f%% of its parameters, "
                        + "answers in %.2f ms instead of %.2f ms (p50), and is %.1fx smaller on disk.%n",
                100 * s.accuracy() / o.teacher().accuracy(), 100.0 * s.speed().parameters() / o.teacher().speed().parameters(),
                s.speed().latencyP50Ms(), o.teacher().speed().latencyP50Ms(),
                o.teacher().speed().bytesOnDisk() / (double) s.speed().bytesOnDisk());
        System.out.println("runs: teacher " + teacher.run().dir() + "\n      student " + o.run().dir());
        System.out.println("next: distillery runs show " + o.run().id() + "   |   distillery predict --model " + o.run().id()
                + " --input fashion-mnist:test --output predictions.jsonl");
        return 0;
    }
}
