package dev.distillery.cli;

import dev.distillery.transform.ImageTransforms;
import dev.distillery.train.SelfTraining;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a classifier, evaluate it on a test set and save it in a new run directory.",
                "DATA is a known data set (fashion-mnist, fashion-mnist:test, spamassassin, digits, wine, breast-cancer,"
                        + " sotu-era, sotu-party; see 'distillery data fetch') or a .jsonl or .json (records, or one array of"
                        + " them), .csv or .tsv, .arff, .eml or .mbox file, an IDX file, or a directory of mail or of images"
                        + " (photos/LABEL/*.png, .jpg, .gif, .bmp, .tif)."},
        footer = {"", "Examples:",
                "  distillery train --data fashion-mnist --test fashion-mnist:test --epochs 10",
                "  distillery train --data spamassassin --test-fraction 0.3 --model ngram",
                "  distillery train --data fashion-mnist --test fashion-mnist:test --labeled 1%%",
                "  distillery train --data fashion-mnist --test fashion-mnist:test --labeled 1%% --unlabeled rest --epochs 150 --ssl-epochs 8",
                "  distillery train --data fashion-mnist --test fashion-mnist:test --labeled 1%% --unlabeled rest --epochs 150 \\",
                "      --ssl-method fixmatch --ssl-rounds 1 --ssl-epochs 5 --ssl-threshold 0.95",
                "  distillery train --resume 20261123-141500-train-1a2b3c   # continue an interrupted run"})
final class TrainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    DataArgument dataArgument;

    @Mixin
    TestSetOptions testSet;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Share of the training part held out for early stopping; 0 for none. Default: ${DEFAULT-VALUE}.")
    double validationFraction;

    @Option(names = "--labeled", paramLabel = "AMOUNT",
            description = "Train on only this many labels (stratified): 1%%, 0.01 or 600.")
    String labeled;

    @Option(names = "--unlabeled", paramLabel = "DATA",
            description = "Self-train on unlabeled data after the labeled round: 'rest' (the training data's records without a "
                    + "label, and the labels --labeled sets aside, removed) or a data set or file.")
    String unlabeled;

    @Option(names = "--ssl-method", paramLabel = "M", defaultValue = "auto",
            description = "With --unlabeled: self-training (each round a fresh student on labels + confident pseudo-labels), " +
                    "fixmatch (images: each round --ssl-epochs passes of FixMatch over the unlabeled data, continuing the " +
                    "model: its prediction on a weak view, if confident, is taught on a strong view), spreading (label " +
                    "spreading on a 7-nearest-neighbour graph of labeled and unlabeled examples: features standardized or " +
                    "as given, whichever spreads held-out labels better, or for text TF-IDF vectors by cosine; used unless " +
                    "the labels alone do better by cross-validation, then one model on labels + spread labels, for text " +
                    "the most confident half of each class's) or auto " +
                    "(spreading, except for text with a network named by --model: self-training). Default: ${DEFAULT-VALUE}.")
    String sslMethod;

    @Option(names = "--ssl-views", paramLabel = "S",
            description = "With --ssl-method fixmatch: how far the views move an image. paper (flip and a shift of up to 3 " +
                    "pixels; strong: two distortions at full strength and a cutout a third of the side) suits data whose " +
                    "class does not depend on position; mild (1-pixel shift, half strength, a quarter-side cutout) suits " +
                    "centred images such as Fashion-MNIST. Default: paper.")
    String sslViews;

    @Option(names = "--ssl-ema", paramLabel = "DECAY",
            description = "With --ssl-method fixmatch: score and keep the moving average of the weights, updated every step " +
                    "with this decay (the paper uses 0.999 over a million steps; a few passes take a few hundred steps " +
                    "each, so 0.99); 0 keeps the last step's weights. Default: 0.")
    Float sslEma;

    @Option(names = "--ssl-rounds", paramLabel = "N", defaultValue = "2",
            description = "With --unlabeled: student rounds, each taught by the previous model. Default: ${DEFAULT-VALUE}.")
    int sslRounds;

    @Option(names = "--ssl-threshold", paramLabel = "P", defaultValue = "0.9",
            description = "With --unlabeled: minimum top probability for a pseudo-label. Default: ${DEFAULT-VALUE}.")
    double sslThreshold;

    @Option(names = "--ssl-epochs", paramLabel = "N",
            description = "With --unlabeled: epochs of each student round. Default: --epochs.")
    Integer sslEpochs;

    @Option(names = "--ssl-lr", paramLabel = "LR",
            description = "With --unlabeled: peak learning rate of the rounds after the labeled one (FixMatch continues a " +
                    "trained model: a lower rate fine-tunes it instead of restarting). Default: --lr.")
    Float sslLearningRate;

    @Option(names = "--extra", paramLabel = "DATA",
            description = "More labeled training examples, e.g. from `distillery synth`, added to the training part after the "
                    + "validation and test splits (so they are never scored). They join the final fit only: the model, its "
                    + "regularization and the label-spreading check are chosen on the real labels, since a variant of a held-out "
                    + "example would be scored from memory.")
    String extra;

    @Option(names = "--corrections", paramLabel = "FILE",
            description = "Label corrections applied to --data as it is read (JSON lines {\"id\", \"action\": relabel|keep|remove, "
                    + "\"label\"}), as the review of `label issues` in `distillery ui` writes them; what changed is counted.")
    String corrections;

    @Option(names = "--resume", paramLabel = "RUN", description = "Continue an interrupted training run from its checkpoints "
            + "(the same as 'distillery resume RUN').")
    String resume;

    @Mixin
    TrainOptions options;

    @Mixin
    ColumnOptions columns;

    @Override
    public Integer call() {
        if (resume != null) {
            return ResumeCommand.rerun(resume);
        }
        String data = dataArgument.ref();
        testSet.check();
        SelfTraining.Method method = SelfTraining.Method.parse(sslMethod);
        requireFixMatch(method, sslViews, "--ssl-views");
        requireFixMatch(method, sslEma, "--ssl-ema");
        ImageTransforms.ViewStrength views = sslViews == null ? null : ImageTransforms.ViewStrength.parse(sslViews);
        SelfTraining ssl = unlabeled == null ? null
                : new SelfTraining(unlabeled, sslRounds, sslThreshold, sslEpochs != null ? sslEpochs : options.trainConfig().epochs(),
                        method, sslLearningRate, views, sslEma);
        TrainSpec trainSpec = new TrainSpec(data, testSet.test, testSet.fraction, validationFraction, labeled,
                options.modelSpec(), options.trainConfig(), options.optimizer.onError.policy, ssl, extra, corrections)
                .withColumns(columns.names());
        Context ctx = Context.fromEnvironment();
        TrainJob job = new TrainJob(ctx.catalog(), ctx.runs(), new ConsoleProgress(System.out));
        TrainJob.Outcome outcome = job.run(trainSpec, "train",
                List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
        Printing.outcome(System.out, outcome);
        return 0;
    }

    private void requireFixMatch(SelfTraining.Method method, Object value, String option) {
        if (value != null && method != SelfTraining.Method.FIXMATCH) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " applies to --ssl-method fixmatch only");
        }
    }
}
