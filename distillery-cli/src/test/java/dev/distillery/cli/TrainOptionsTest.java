package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.model.CnnSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.NgramBagSpec;
import org.junit.jupiter.api.Test;

class TrainOptionsTest {
    @Test
    void dropoutReplacesOnlyTheRateOfACnnOrMlp() {
        CnnSpec cnn = (CnnSpec) CnnSpec.DEFAULT.withWidth(10);
        assertThat(TrainOptions.withDropout(cnn, 0f, "--model"))
                .isEqualTo(new CnnSpec(10, cnn.stages(), cnn.hidden(), 0f, cnn.augment()));
        assertThat(TrainOptions.withDropout(MlpSpec.DEFAULT, 0.5f, "--model"))
                .isEqualTo(new MlpSpec(MlpSpec.DEFAULT.width(), MlpSpec.DEFAULT.layers(), 0.5f, true));
        assertThat(TrainOptions.withDropout(cnn, null, "--model")).isSameAs(cnn);
    }

    @Test
    void shiftIsKeptThroughWidthAndRefusedForModelsThatAreNotCnns() {
        TrainOptions options = new TrainOptions();
        options.model = TrainOptions.ModelType.cnn;
        options.width = 16;
        options.shift = 1;
        CnnSpec spec = (CnnSpec) options.modelSpec();
        assertThat(spec.width()).isEqualTo(16);
        assertThat(spec.trainingShift()).isEqualTo(1);
        options.model = TrainOptions.ModelType.mlp;
        assertThatThrownBy(options::modelSpec).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--shift-pixels applies to --model cnn only");
    }

    @Test
    void dropoutOnAModelWithoutOneIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> TrainOptions.withDropout(NgramBagSpec.DEFAULT, 0.1f, "--student"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--dropout applies to --student cnn or mlp");
        assertThatThrownBy(() -> TrainOptions.withDropout(CnnSpec.DEFAULT, 1f, "--model"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dropout must be in [0, 1)");
    }
}
