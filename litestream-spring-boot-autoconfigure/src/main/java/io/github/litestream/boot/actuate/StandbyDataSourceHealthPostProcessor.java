package io.github.litestream.boot.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.github.litestream.boot.autoconfigure.LitestreamStandbys;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/**
 * Gives each standby DataSource ({@code litestream.dbs[n].standby}) a
 * {@link StandbyDataSourceHealthIndicator} in Spring Boot's {@code dbHealthContributor} bean:
 * the bean itself when it is the indicator of the only DataSource, or the entries of the
 * composite, keyed by DataSource bean name, when there are several. The indicators of other
 * DataSources are kept as they are, and so is a {@code dbHealthContributor} the application
 * defines itself.
 */
final class StandbyDataSourceHealthPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	private static final String BEAN_NAME = "dbHealthContributor";

	private final ObjectProvider<LitestreamStandbys> standbys;

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	StandbyDataSourceHealthPostProcessor(ObjectProvider<LitestreamStandbys> standbys) {
		this.standbys = standbys;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (!BEAN_NAME.equals(beanName) || beanFactory == null || !definedBySpringBoot(beanFactory, beanName)) {
			return bean;
		}
		LitestreamStandbys standbys = this.standbys.getIfAvailable();
		if (standbys == null) {
			return bean;
		}
		if (bean instanceof HealthIndicator indicator) {
			String dataSource = onlyDataSource(beanFactory);
			return (dataSource != null) ? indicator(standbys, dataSource, indicator) : bean;
		}
		if (bean instanceof CompositeHealthContributor composite) {
			return composite(standbys, composite);
		}
		return bean;
	}

	private static boolean definedBySpringBoot(ConfigurableListableBeanFactory beanFactory, String beanName) {
		if (!beanFactory.containsBeanDefinition(beanName)) {
			return false;
		}
		String factoryBean = beanFactory.getMergedBeanDefinition(beanName).getFactoryBeanName();
		return factoryBean != null
				&& beanFactory.isTypeMatch(factoryBean, DataSourceHealthContributorAutoConfiguration.class);
	}

	/**
	 * The bean name of the DataSource of Spring Boot's single indicator, found as Spring Boot
	 * chose it: the only candidate DataSource, routing ones aside (those get a composite).
	 */
	private static @Nullable String onlyDataSource(ConfigurableListableBeanFactory beanFactory) {
		List<String> candidates = SimpleAutowireCandidateResolver
			.resolveAutowireCandidates(beanFactory, DataSource.class, false, true)
			.entrySet()
			.stream()
			.filter((candidate) -> !(candidate.getValue() instanceof AbstractRoutingDataSource))
			.map(Map.Entry::getKey)
			.toList();
		return (candidates.size() == 1) ? candidates.get(0) : null;
	}

	/** Spring Boot's composite, whose entries are named after the DataSource beans. */
	private static HealthContributor composite(LitestreamStandbys standbys, CompositeHealthContributor composite) {
		Map<String, HealthContributor> entries = new LinkedHashMap<>();
		boolean replaced = false;
		for (HealthContributors.Entry entry : composite) {
			HealthContributor contributor = entry.contributor();
			if (contributor instanceof HealthIndicator indicator) {
				contributor = indicator(standbys, entry.name(), indicator);
				replaced |= contributor != indicator;
			}
			entries.put(entry.name(), contributor);
		}
		return replaced ? CompositeHealthContributor.fromMap(entries) : composite;
	}

	private static HealthIndicator indicator(LitestreamStandbys standbys, String dataSource,
			HealthIndicator indicator) {
		return standbys.ofDataSource(dataSource)
			.<HealthIndicator>map((database) -> new StandbyDataSourceHealthIndicator(database, indicator))
			.orElse(indicator);
	}

}
