import { Foundation1764240000000 } from './1764240000000-Foundation';
import { InspectionPlans1764300000000 } from './1764300000000-InspectionPlans';
import { PolicyAndJobs1764350000000 } from './1764350000000-PolicyAndJobs';
import { Demands1764400000000 } from './1764400000000-Demands';
import { BurdenReports1764500000000 } from './1764500000000-BurdenReports';
import { MonitoringPoints1764600000000 } from './1764600000000-MonitoringPoints';
import { Flags1764700000000 } from './1764700000000-Flags';
import { MetricsRollups1764800000000 } from './1764800000000-MetricsRollups';
import { RollupState1764900000000 } from './1764900000000-RollupState';
import { Cases1765000000000 } from './1765000000000-Cases';
import { IssuerPeriodBurden1765240000000 } from './1765240000000-IssuerPeriodBurden';
import { FieldKeys1765250000000 } from './1765250000000-FieldKeys';
import { IssuerFlaggedDemands1765260000000 } from './1765260000000-IssuerFlaggedDemands';
import { FlagStatusIndexes1765270000000 } from './1765270000000-FlagStatusIndexes';
import { DropFieldKeyIndex1765280000000 } from './1765280000000-DropFieldKeyIndex';

/** Every migration, in order. Add new ones at the end; never edit one that has landed. */
export const MIGRATIONS = [Foundation1764240000000, InspectionPlans1764300000000, PolicyAndJobs1764350000000, Demands1764400000000, BurdenReports1764500000000, MonitoringPoints1764600000000, Flags1764700000000, MetricsRollups1764800000000, RollupState1764900000000, Cases1765000000000, IssuerPeriodBurden1765240000000, FieldKeys1765250000000, IssuerFlaggedDemands1765260000000, FlagStatusIndexes1765270000000, DropFieldKeyIndex1765280000000];
