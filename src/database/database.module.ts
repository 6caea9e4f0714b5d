import { DynamicModule, Global, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions, sqliteReaderOptions } from './data-source-options';
import { READ_DATA_SOURCE, TransactionRunner } from './transaction-runner';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.database),
          autoLoadEntities: true,
          // A failed connection should surface at once, not behind retries.
          retryAttempts: 0,
        }),
      ],
      providers: [
        {
          provide: READ_DATA_SOURCE,
          inject: [getDataSourceToken()],
          // After the main connection has migrated the file; PostgreSQL reads use the pool.
          useFactory: async (main: DataSource) => {
            if (config.database.type !== 'sqlite') return main;
            return new DataSource(sqliteReaderOptions(config.database.path)).initialize();
          },
        },
        TransactionRunner,
      ],
      exports: [TransactionRunner],
    };
  }
}
