//! Node images: with `nodeImage: latest`, the pools the plan does not otherwise touch get the
//! newest node image, in the plan's waves.

use std::sync::Arc;

use aksplan_model::plan::NodeImagePolicy;
use aksplan_rules::rules::pools::aks115_node_image;

use super::builder::provenance;
use super::cluster::ClusterBuild;
use super::pools::waves;
use crate::estimate::pool_minutes;
use crate::step::{Step, StepKind};

impl ClusterBuild<'_, '_> {
    pub(super) fn node_images(&mut self) {
        let view = self.view;
        let ctx = self.ctx;
        let policy = view
            .spec
            .target
            .as_ref()
            .unwrap_or(&ctx.plan.spec.target)
            .node_image;
        if policy != NodeImagePolicy::Latest {
            return;
        }
        let name = self.name();
        let cluster_pointer = view.pointer();
        let untouched: Vec<String> = self
            .state
            .pools
            .keys()
            .filter(|p| !self.upgraded.iter().any(|u| u == p))
            .map(str::to_owned)
            .collect();
        let mut previous: Vec<Arc<str>> = Vec::new();
        let mut all = Vec::new();
        for wave in waves(view) {
            let mut this = Vec::new();
            for pool_name in wave.iter().filter(|p| untouched.contains(p)) {
                let Some(pool) = view.pools().iter().find(|p| *p.name == **pool_name) else {
                    continue;
                };
                let mut depends_on = self.frontier.clone();
                depends_on.extend(previous.iter().cloned());
                let id = self.builder.add(Step {
                    id: format!("{name}/pool/{pool_name}/node-image").into(),
                    cluster: Some(name.clone()),
                    kind: StepKind::PoolNodeImage { pool: Arc::clone(&pool.name) },
                    provenance: provenance(
                        format!("pool `{pool_name}` gets no Kubernetes upgrade; `nodeImage: latest` moves it to the newest node image"),
                        Some(aks115_node_image::CODE),
                        Some(view.spec.target.as_ref().map_or("/spec/target/nodeImage".to_owned(), |_| format!("{cluster_pointer}/target/nodeImage"))),
                        None,
                    ),
                    before: None,
                    after: None,
                    estimate_minutes: pool_minutes(pool, view.spec.pool_settings.get(pool_name), self.state.control_plane, &ctx.plan.spec.estimates, view.resolved.live.drain_blocked(pool_name)),
                    depends_on,
                });
                this.push(id);
            }
            if !this.is_empty() {
                all.extend(this.iter().cloned());
                previous = this;
            }
        }
        if !all.is_empty() {
            self.frontier = all;
        }
    }
}
