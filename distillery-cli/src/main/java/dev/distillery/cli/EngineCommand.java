package dev.distillery.cli;

import ai.djl.engine.Engine;
import dev.distillery.eval.SpeedReport;
import dev.distillery.model.TorchRuntime;
import dev.distillery.run.Provenance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery engine}: what runs the models here, and how fast this machine multiplies matrices. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"Show the native engine (PyTorch version, threads) and, with --matmul, time a 512x512 float matrix "
                + "product: the yardstick for a training run's GFLOP/s on this machine and thread count."},
        footer = {"", "Examples:", "  distillery engine", "  DISTILLERY_THREADS=2 distillery engine --matmul --json"})
final class EngineCommand implements Callable<Integer> {
    @Option(names = "--matmul", description = "Also time 512x512 float matrix products (median of 5 rounds of 50).")
    boolean matmul;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Engine engine = TorchRuntime.engine();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("engine", engine.getEngineName() + " " + engine.getVersion());
        info.put("djl", Engine.getDjlVersion());
        info.put("threads", Provenance.machine().get("torch_threads"));
        info.put("cpu", Provenance.machine().get("cpu_model"));
        if (matmul) {
            info.put("matmul_512_gflops", SpeedReport.matmulGflops(512, 50));
        }
        if (json) {
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(info));
        } else {
            info.forEach((k, v) -> System.out.printf("%-18s %s%n", k, v instanceof Double d ? String.format("%.1f", d) : v));
        }
        return 0;
    }
}
