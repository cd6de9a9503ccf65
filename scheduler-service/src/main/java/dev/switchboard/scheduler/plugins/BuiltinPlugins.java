package dev.switchboard.scheduler.plugins;

import dev.switchboard.scheduler.engine.PluginRegistry;
import dev.switchboard.scheduler.framework.PdDecider;
import dev.switchboard.scheduler.plugins.cacheaware.CacheAwarePicker;
import dev.switchboard.scheduler.plugins.contextfilter.ContextFitsFilter;
import dev.switchboard.scheduler.plugins.disagg.DisaggProfileHandler;
import dev.switchboard.scheduler.plugins.healthfilter.HealthyFilter;
import dev.switchboard.scheduler.plugins.kvscorer.KvUtilizationScorer;
import dev.switchboard.scheduler.plugins.leastrequest.LeastRequestScorer;
import dev.switchboard.scheduler.plugins.localityscorer.LocalityScorer;
import dev.switchboard.scheduler.plugins.maxscore.MaxScorePicker;
import dev.switchboard.scheduler.plugins.modelfilter.ModelFilter;
import dev.switchboard.scheduler.plugins.poweroftwo.PowerOfTwoPicker;
import dev.switchboard.scheduler.plugins.prefixpd.PrefixBasedPdDecider;
import dev.switchboard.scheduler.plugins.prefixscorer.PrefixCacheScorer;
import dev.switchboard.scheduler.plugins.queuescorer.QueueDepthScorer;
import dev.switchboard.scheduler.plugins.rolefilter.RoleFilter;
import dev.switchboard.scheduler.plugins.roundrobin.RoundRobinPicker;
import dev.switchboard.scheduler.plugins.runningscorer.RunningRequestsScorer;
import dev.switchboard.scheduler.plugins.sessionscorer.SessionAffinityScorer;
import dev.switchboard.scheduler.plugins.single.SingleProfileHandler;
import dev.switchboard.scheduler.plugins.ttftscorer.PredictedTtftScorer;
import dev.switchboard.scheduler.plugins.weightedrandom.WeightedRandomPicker;

/** Every built-in plugin type, registered in one place. */
public final class BuiltinPlugins {
    private BuiltinPlugins() {
    }

    public static PluginRegistry registry() {
        return PluginRegistry.builder()
                // filters
                .register(ModelFilter.TYPE, NoParams.class, (name, p, lookup) -> new ModelFilter(name))
                .register(RoleFilter.TYPE, RoleFilter.Params.class, (name, p, lookup) -> new RoleFilter(name, p))
                .register(HealthyFilter.TYPE, NoParams.class, (name, p, lookup) -> new HealthyFilter(name))
                .register(ContextFitsFilter.TYPE, NoParams.class, (name, p, lookup) -> new ContextFitsFilter(name))
                // scorers
                .register(PrefixCacheScorer.TYPE, PrefixCacheScorer.Params.class, (name, p, lookup) -> new PrefixCacheScorer(name, p))
                .register(KvUtilizationScorer.TYPE, NoParams.class, (name, p, lookup) -> new KvUtilizationScorer(name))
                .register(QueueDepthScorer.TYPE, NoParams.class, (name, p, lookup) -> new QueueDepthScorer(name))
                .register(RunningRequestsScorer.TYPE, NoParams.class, (name, p, lookup) -> new RunningRequestsScorer(name))
                .register(LeastRequestScorer.TYPE, NoParams.class, (name, p, lookup) -> new LeastRequestScorer(name))
                .register(PredictedTtftScorer.TYPE, PredictedTtftScorer.Params.class, (name, p, lookup) -> new PredictedTtftScorer(name, p))
                .register(SessionAffinityScorer.TYPE, NoParams.class, (name, p, lookup) -> new SessionAffinityScorer(name))
                .register(LocalityScorer.TYPE, LocalityScorer.Params.class, (name, p, lookup) -> new LocalityScorer(name, p))
                // pickers
                .register(MaxScorePicker.TYPE, NoParams.class, (name, p, lookup) -> new MaxScorePicker(name))
                .register(PowerOfTwoPicker.TYPE, NoParams.class, (name, p, lookup) -> new PowerOfTwoPicker(name))
                .register(WeightedRandomPicker.TYPE, WeightedRandomPicker.Params.class, (name, p, lookup) -> new WeightedRandomPicker(name, p))
                .register(RoundRobinPicker.TYPE, NoParams.class, (name, p, lookup) -> new RoundRobinPicker(name))
                .register(CacheAwarePicker.TYPE, CacheAwarePicker.Params.class, (name, p, lookup) -> new CacheAwarePicker(name, p))
                // prefill/decode
                .register(PrefixBasedPdDecider.TYPE, PrefixBasedPdDecider.Params.class, (name, p, lookup) -> new PrefixBasedPdDecider(name, p))
                .register(SingleProfileHandler.TYPE, SingleProfileHandler.Params.class, (name, p, lookup) -> new SingleProfileHandler(name, p))
                .register(DisaggProfileHandler.TYPE, DisaggProfileHandler.Params.class, (name, p, lookup) ->
                        new DisaggProfileHandler(name, p.decodeProfile(), p.prefillProfile(), lookup.find(p.decider(), PdDecider.class)))
                .build();
    }
}
