package dev.distillery.distill;

import dev.distillery.eval.Evaluation;
import dev.distillery.eval.SpeedReport;

/** One model's row in a teacher-vs-student comparison. */
public record ModelReport(String role, String spec, Evaluation test, SpeedReport speed, double agreementWithTeacher,
        double trainSeconds) {

    public double accuracy() {
        return test.accuracy();
    }

    public double macroF1() {
        return test.macroF1();
    }
}
